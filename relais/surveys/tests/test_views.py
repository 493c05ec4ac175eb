"""The managers' pages: results, customers and sending, comments, export, follow-ups, and a
reseller's NPS on the partner page."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from relais.core import tabular
from relais.surveys import tokens
from relais.surveys.answers import answer_comment, answer_record, consent_wording
from relais.surveys.models import Answer, SurveyRequest
from relais.surveys.tests.helpers import customer, sent_survey
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def answered(n, score, **fields):
    return answer_record(request_id=sent_survey(customer(n, **fields)).pk, score=score).answer


def test_results_show_the_nps_by_month_and_by_reseller_in_the_same_queries(client, manager):
    client.force_login(manager)
    reseller = PartnerFactory(reseller=True)
    answered(0, 10, reseller=reseller)
    with CaptureQueriesContext(connection) as few:
        client.get("/surveys/?by=reseller")
    for n, score in enumerate([9, 3, 8, 10, 0], start=1):
        answered(n, score, reseller=PartnerFactory(reseller=True))
    with CaptureQueriesContext(connection) as many:
        page = client.get("/surveys/?by=reseller").content.decode()
    assert len(many) == len(few)
    assert 'id="nps-total">17' in page  # 3 promoters, 2 detractors of 6: 16.7
    assert reseller.display_name in page


def test_a_reseller_nps_shows_on_its_partner_page(client, manager):
    reseller = PartnerFactory(reseller=True)
    answered(0, 10, reseller=reseller)
    answered(1, 5, reseller=reseller)
    client.force_login(manager)
    page = client.get(f"/partners/{reseller.pk}/").content.decode()
    assert 'id="reseller-nps">0<' in page


def test_a_manager_sends_the_survey_to_the_customers_ticked(client, manager):
    ones = [customer(n) for n in range(3)]
    client.force_login(manager)
    client.post("/surveys/customers/", {"customer": [c.pk for c in ones]})
    assert SurveyRequest.objects.count() == 3
    client.post("/surveys/customers/", {"customer": [ones[0].pk]})  # within the window
    assert SurveyRequest.objects.count() == 3


def test_testimonials_export_has_only_consented_promoters_with_their_first_name(client, manager):
    kept = answered(0, 10)
    answer_comment(answer=kept, comment="Parfait", publish=True, wording=consent_wording())
    refused = answered(1, 9)
    answer_comment(answer=refused, comment="Bien, sans plus", publish=False, wording="")
    client.force_login(manager)
    body = b"".join(client.get("/surveys/testimonials/").streaming_content).decode("utf-8-sig")
    assert "Parfait" in body
    assert "Bien, sans plus" not in body
    assert "Martin" not in body  # the last name is never published
    xlsx = client.get("/surveys/testimonials/?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert xlsx.streaming
    [[first, *_rest], *published] = load_workbook(
        io.BytesIO(b"".join(xlsx.streaming_content))
    ).active.values
    assert first == "First name"
    assert len(published) == 1  # the CSV's rows
    assert "Parfait" in published[0][2]
    assert tabular  # the export helper is the shared one


def test_comments_filter_by_group(client, manager):
    for n, (score, text) in enumerate([(10, "Super équipe"), (8, "Correct")]):
        answer_comment(answer=answered(n, score), comment=text, publish=False, wording="")
    client.force_login(manager)
    page = client.get("/surveys/comments/?category=promoter").content.decode()
    assert "Super équipe" in page
    assert "Correct" not in page


def test_the_survey_pages_answer_on_a_phone_without_login(client):
    survey = sent_survey()
    page = client.get(f"/s/a/{tokens.answer_token(survey.pk)}/7/").content.decode()
    assert 'name="viewport"' in page
    assert Answer.objects.get().score == 7
