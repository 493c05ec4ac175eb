"""The segment pages as a manager sees them: counts and rules, a segment's list and its
export, custom segments with their live count, the partner page's card, and who may not."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from relais.core.models import Departement
from relais.engagement.filters import saved_segment_partners
from relais.engagement.models import SavedSegment
from relais.engagement.segments import segments_judge
from relais.engagement.tests.test_segments import introducer, refer
from relais.partners.models import Partner
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_of():
    def login(user) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return login


@pytest.fixture
def managed(client_of, manager) -> Client:
    return client_of(manager)


def _network(size: int) -> list[Partner]:
    partners = [introducer() for _ in range(size)]
    for n, partner in enumerate(partners):
        for _ in range(n % 4):
            refer(partner, n % 3)
    segments_judge()
    return partners


def test_the_overview_shows_the_counts_and_the_thresholds_as_set(managed, settings):
    settings.RELAIS_SEGMENT_DORMANT_MONTHS = 9
    dormant = introducer()
    refer(dormant, 10)
    introducer(days_old=2)
    segments_judge()
    page = managed.get(reverse("engagement:segments")).content.decode()
    assert 'id="segment-dormant"' in page
    dormant_row = page.split('id="segment-dormant"')[1].split("</tr>")[0]
    assert '<td class="count">1</td>' in dormant_row
    assert "RELAIS_SEGMENT_DORMANT_MONTHS=9" in page
    assert "nothing in the last 9 months" in page
    assert reverse("engagement:segment", args=["dormant"]) in page


def test_the_overview_runs_as_many_queries_for_a_larger_network(managed):
    _network(3)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert managed.get(reverse("engagement:segments")).status_code == 200
        return len(captured)

    few = queries()
    _network(12)
    assert queries() == few


def test_a_segments_list_runs_as_many_queries_for_more_partners(managed):
    url = reverse("engagement:segment", args=["never"])

    def queries(size: int) -> int:
        for _ in range(size):
            introducer(days_old=100)
        segments_judge()
        with CaptureQueriesContext(connection) as captured:
            assert managed.get(url).status_code == 200
        return len(captured)

    assert queries(3) == queries(12)


def test_a_segment_lists_its_partners_filtered_and_exports_them(managed):
    lyon = introducer(last_name="Lyonnais")
    paris = introducer(last_name="Parisien", postcode="75011", departement_id="75")
    busy = introducer(last_name="Occupé")
    refer(lyon, 8)
    refer(paris, 8)
    for _ in range(12):
        refer(busy, 1)
    segments_judge()
    url = reverse("engagement:segment", args=["dormant"])

    page = managed.get(url).content.decode()
    assert "Lyonnais" in page
    assert "Parisien" in page
    assert "Occupé" not in page
    page = managed.get(url, {"departement": "75"}).content.decode()
    assert "Parisien" in page
    assert "Lyonnais" not in page
    region = Departement.objects.get(code="69").region
    page = managed.get(url, {"region": region}).content.decode()
    assert "Lyonnais" in page
    assert "Parisien" not in page

    response = managed.get(url, {"departement": "75", "format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("id;kind;status")
    assert ";segment;since;leads_12m;" in lines[0]
    assert len(lines) == 2
    assert "Parisien" in lines[1]
    assert "dormant" in lines[1]

    from openpyxl import load_workbook

    response = managed.get(url, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = {row[5] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"Lyonnais", "Parisien"}
    assert managed.get(reverse("engagement:segment", args=["nonsense"])).status_code == 404


def test_a_long_segment_is_paged(managed):
    for _ in range(55):
        introducer(days_old=100)
    segments_judge()
    url = reverse("engagement:segment", args=["never"])
    first = managed.get(url).content.decode()
    second = managed.get(url, {"page": 2}).content.decode()
    assert (first.count("<tr><td><a"), second.count("<tr><td><a")) == (50, 5)
    assert "?&page=2" in first


def test_custom_filters_pick_the_partners_they_describe():
    rhone = Departement.objects.get(code="69")
    old = introducer(days_old=400, sector="Plomberie", group="or")
    young = introducer(days_old=10, sector="plomberie")
    seller = PartnerFactory(reseller=True, postcode="75011", departement_id="75")
    for _ in range(3):
        refer(old, 1)
    refer(old, 2, won=Decimal("2500"))
    refer(young, 1)
    segments_judge()
    month_start = (timezone.localdate() - timedelta(days=100)).isoformat()

    def matched(**filters: str) -> set[Partner]:
        saved = SavedSegment.objects.create(name=str(filters), filters=filters)
        return set(saved_segment_partners(saved))

    assert matched(kind="reseller") == {seller}
    assert matched(region=rhone.region) == {old, young}
    assert matched(departement="75") == {seller}
    assert matched(sector="PLOMBERIE") == {old, young}
    assert matched(group="or") == {old}
    joined = (timezone.localdate() - timedelta(days=100)).isoformat()
    assert matched(joined_before=joined) == {old}
    assert matched(joined_after=joined, kind="introducer") == {young}
    assert matched(period_start=month_start, min_leads="3") == {old}
    assert matched(period_start=month_start, min_won_amount="2000") == {old}
    assert matched(period_start=month_start, min_won_amount="3000") == set()
    assert matched(segment="occasional") == {young}
    assert matched(departement="999") == set()  # no longer cleans: nobody, never everybody


def test_the_live_count_follows_the_filters_and_says_when_nobody_matches(managed):
    introducer(sector="Plomberie")
    introducer(sector="Plomberie")
    introducer(sector="Toiture")
    url = reverse("engagement:saved_segment_new")
    htmx = {"HTTP_HX_REQUEST": "true"}

    count = managed.get(url, {"sector": "plomberie"}, **htmx).content.decode()
    assert 'id="segment-count"' in count
    assert "<strong>2</strong> partners match" in count
    count = managed.get(url, {"sector": "toiture"}, **htmx).content.decode()
    assert "<strong>1</strong> partner matches" in count
    count = managed.get(url, {"sector": "zinguerie"}, **htmx).content.decode()
    assert "No partner matches these filters" in count
    count = managed.get(url, {"departement": "ZZ"}, **htmx).content.decode()
    assert "Correct the filters" in count
    assert "<html" not in count  # the partial only


def test_a_manager_saves_edits_and_deletes_a_custom_segment(managed, manager):
    introducer(sector="Plomberie")
    url = reverse("engagement:saved_segment_new")
    refused = managed.post(url, {"name": "", "sector": "Plomberie"})
    assert refused.status_code == 422
    assert "Give the segment a name." in refused.content.decode()

    assert managed.post(url, {"name": "Plombiers", "sector": "Plomberie"}).status_code == 302
    saved = SavedSegment.objects.get()
    assert (saved.filters, saved.created_by) == ({"sector": "Plomberie"}, manager)
    twice = managed.post(url, {"name": "plombiers", "sector": "Toiture"})
    assert twice.status_code == 422
    assert "A segment named “plombiers” exists already." in twice.content.decode()

    edit = reverse("engagement:saved_segment_edit", args=[saved.pk])
    form = managed.get(edit).content.decode()
    assert 'value="Plomberie"' in form
    assert "<strong>1</strong> partner matches" in form
    managed.post(edit, {"name": "Plombiers du Rhône", "sector": "Plomberie", "departement": "69"})
    saved.refresh_from_db()
    assert saved.name == "Plombiers du Rhône"
    assert saved.filters == {"sector": "Plomberie", "departement": "69"}
    listing = managed.get(reverse("engagement:saved_segments")).content.decode()
    assert "Plombiers du Rhône" in listing

    managed.post(reverse("engagement:saved_segment_delete", args=[saved.pk]))
    assert not SavedSegment.objects.exists()


def test_the_partner_page_shows_its_segment(managed):
    partner = introducer()
    refer(partner, 1)
    detail = reverse("partners:detail", args=[partner.pk])
    assert "Not judged yet" in managed.get(detail).content.decode()
    segments_judge()
    page = managed.get(detail).content.decode()
    card = page.split('id="partner-segment"')[1].split("</section>")[0]
    assert "Occasional" in card
    assert reverse("engagement:segment", args=["occasional"]) in card


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("engagement:segments", []),
        ("engagement:segment", ["dormant"]),
        ("engagement:saved_segments", []),
        ("engagement:saved_segment_new", []),
    ],
)
def test_partner_users_may_not_and_visitors_must_log_in(
    client_of, introducer_user, reseller_user, name, args
):
    url = reverse(name, args=args)
    assert client_of(introducer_user).get(url).status_code == 403
    assert client_of(reseller_user).get(url).status_code == 403
    response = Client().get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_resellers_card_names_its_kpi_segment_without_introducer_figures(managed):
    reseller = PartnerFactory(reseller=True)
    segments_judge()
    page = managed.get(reverse("partners:detail", args=[reseller.pk])).content.decode()
    card = page.split('id="partner-segment"')[1].split("</section>")[0]
    assert "Resellers too new to judge" in card
    assert "Leads, 12 months" not in card


def test_a_segment_in_use_by_a_campaign_is_not_deleted(managed):
    from relais.engagement.models import Campaign, MessageTemplate

    saved = SavedSegment.objects.create(name="Tous", filters={})
    template = MessageTemplate.objects.create(
        name="News", subject_fr="Nouvelles", body_fr="Bonjour"
    )
    Campaign.objects.create(
        name="Décembre", template=template, audience="saved", saved_segment=saved
    )
    response = managed.post(
        reverse("engagement:saved_segment_delete", args=[saved.pk]), follow=True
    )
    assert "is the audience of a campaign" in response.content.decode()
    assert SavedSegment.objects.exists()


def test_a_partner_user_cannot_reach_a_saved_segment(client_of, introducer_user):
    saved = SavedSegment.objects.create(name="Tous", filters={})
    url = reverse("engagement:saved_segment_edit", args=[saved.pk])
    assert client_of(introducer_user).get(url).status_code == 403
    delete = reverse("engagement:saved_segment_delete", args=[saved.pk])
    assert client_of(introducer_user).post(delete).status_code == 403
    assert SavedSegment.objects.exists()
