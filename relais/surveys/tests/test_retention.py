"""Survey data follow the retention period: a customer silent for longer is blanked, their
comment with them; the scores stay counted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from relais.core.params import legal_value
from relais.surveys import selectors
from relais.surveys.answers import answer_comment, answer_record
from relais.surveys.models import Answer, Customer
from relais.surveys.retention import customers_retention_purge
from relais.surveys.tests.helpers import customer, sent_survey

pytestmark = pytest.mark.django_db


def test_a_customer_silent_past_the_retention_period_is_blanked_but_still_counted():
    years = int(legal_value("gdpr_retention_years", timezone.localdate()))
    long_ago = timezone.now() - timedelta(days=366 * years + 10)
    old, recent = customer(1), customer(2)
    Customer.objects.filter(pk=old.pk).update(created_at=long_ago)
    answer = answer_record(request_id=sent_survey(old, at=long_ago).pk, score=10, now=long_ago)
    answer_comment(answer=answer.answer, comment="Parfait", publish=True, wording="ok")
    answer_record(request_id=sent_survey(recent).pk, score=9)
    assert customers_retention_purge() == 1
    old.refresh_from_db()
    assert (old.email, old.last_name, old.anonymised_at is not None) == ("", "", True)
    kept = Answer.objects.get(customer=old)
    assert (kept.score, kept.comment, kept.publish_consent) == (10, "", False)
    assert Customer.objects.get(pk=recent.pk).email
    assert selectors.nps_total().promoters == 2
    assert customers_retention_purge() == 0
