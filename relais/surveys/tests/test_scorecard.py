"""A reseller's NPS on routing's scorecard: the managers' KPI table, the reseller's own
performance page, the yearly review and its PDF; "—" while its customers have not answered."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from relais.core.jobs import run_job
from relais.core.models import BackgroundJob
from relais.routing import services
from relais.routing.tests.conftest import make_qualified, make_reseller
from relais.surveys.answers import answer_record
from relais.surveys.tests.helpers import customer, sent_survey
from relais.testing.factories import partner_user

pytestmark = pytest.mark.django_db


def answered(reseller, *scores, number=0):
    for n, score in enumerate(scores):
        survey = sent_survey(customer(number + n, reseller=reseller))
        answer_record(request_id=survey.pk, score=score)


def cells(page: str, reseller) -> str:
    start = page.index(f'data-reseller="{reseller.pk}"')
    return page[start : page.index("</tr>", start)]


def worked(manager, reseller, postcode, start):
    for n in range(3):
        lead = make_qualified(manager, start + n, postcode=postcode)
        services.lead_route(lead_id=lead.pk, now=timezone.now() - timedelta(days=60))
        services.assignment_open(lead=lead, reseller=reseller, actor=None)


@pytest.fixture
def resellers(manager):
    happy, silent = make_reseller(("69",)), make_reseller(("13",))
    worked(manager, happy, "69003", 0)
    worked(manager, silent, "13001", 10)
    answered(happy, 10, 9, 9, 3)  # 3 promoters, 1 detractor: 50
    return happy, silent


def test_the_kpi_table_shows_each_resellers_nps_and_a_dash_without_answers(
    client, manager, resellers
):
    happy, silent = resellers
    client.force_login(manager)
    page = client.get("/routing/kpis/").content.decode()
    assert "Customers&#x27; NPS" in page or "Customers' NPS" in page
    assert '<td class="num added">50 (4 answers)</td>' in cells(page, happy)
    assert '<td class="num added">—</td>' in cells(page, silent)
    assert "50 (4 answers)" in page.split('class="network"')[1].split("</tr>")[0]


def test_the_reseller_sees_its_own_nps_beside_the_networks(client, resellers):
    happy, silent = resellers
    answered(silent, 8, number=50)  # a passive: the network is 3 − 1 over 5 = 40
    client.force_login(partner_user(happy))
    page = client.get("/portal/performance/").content.decode()
    row = page[page.index('data-kpi="nps"') :].split("</tr>")[0]
    assert "50 (4 answers)" in row
    assert "40 (5 answers)" in row


def test_the_yearly_review_and_its_pdf_show_the_nps(client, manager, resellers):
    happy, silent = resellers
    year = timezone.localtime(timezone.now() - timedelta(days=60)).year
    client.force_login(manager)
    page = client.get(f"/routing/review/{year}/").content.decode()
    assert '<td class="num added">50 (4 answers)</td>' in cells(page, happy)
    assert '<td class="num added">—</td>' in cells(page, silent)
    client.post(f"/routing/review/{year}/pdf/")
    job = BackgroundJob.objects.get()
    run_job.call(job.pk)
    pdf = b"".join(client.get(f"/jobs/{job.pk}/file").streaming_content)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Customers' NPS" in text
    assert "50 (4 answers)" in text
