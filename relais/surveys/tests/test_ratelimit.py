"""The public survey pages are rate-limited per address: past the limit a clear page (429 with
Retry-After) and nothing recorded; another address is not held back."""

import pytest
from django.test import override_settings

from relais.surveys import tokens
from relais.surveys.models import Answer
from relais.surveys.tests.helpers import customer, sent_survey

pytestmark = pytest.mark.django_db


@override_settings(RELAIS_SURVEY_MAX_PER_HOUR=3)
def test_an_address_past_the_limit_gets_a_clear_page_and_nothing_is_recorded(client):
    survey = sent_survey(customer())
    token = tokens.answer_token(survey.pk)
    here = {"REMOTE_ADDR": "203.0.113.7"}
    for score in (3, 5, 7):
        assert client.get(f"/s/a/{token}/{score}/", **here).status_code == 200
    refused = client.get(f"/s/a/{token}/10/", **here)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    page = refused.content.decode()
    assert "Nothing was recorded" in page
    assert "Too many requests from your connection. Try again in an hour." in page
    assert Answer.objects.get().score == 7  # the refused click changed nothing
    # The opt-out and the comment are counted too.
    assert client.post(f"/s/c/{token}/", {"comment": "Spam"}, **here).status_code == 429
    optout = f"/s/u/{tokens.optout_token(survey.customer_id)}/"
    assert client.get(optout, **here).status_code == 429
    assert Answer.objects.get().comment == ""
    # Someone else, elsewhere, answers as usual.
    other = tokens.answer_token(sent_survey(customer(2)).pk)
    assert client.get(f"/s/a/{other}/9/", REMOTE_ADDR="198.51.100.4").status_code == 200
