"""The demo's survey answers: customers from the won deals, answers with a positive NPS, the
counters agreeing with the answers, and a second run adding nothing."""

import pytest

from relais.demo.surveys import seed_surveys
from relais.surveys import selectors
from relais.surveys.models import Answer, Customer
from relais.surveys.tests.helpers import won_lead

pytestmark = pytest.mark.django_db


def test_the_demo_answers_agree_with_the_counters_and_run_once(manager):
    for n in range(4):
        won_lead(manager, number=n)
    assert seed_surveys(answers=3) == 3
    assert Customer.objects.count() == 4
    scores = list(Answer.objects.values_list("score", flat=True))
    assert selectors.nps_total() == selectors.nps_of(scores)
    assert seed_surveys(answers=3) == 0
    assert Answer.objects.count() == 3


def test_the_demo_spread_gives_a_realistic_positive_nps():
    import random

    from relais.demo.surveys import WEIGHTS

    rng = random.Random(42)  # noqa: S311 - demo data
    scores = [rng.choices(range(11), weights=WEIGHTS)[0] for _ in range(400)]
    assert 15 <= selectors.nps_of(scores).score <= 45
