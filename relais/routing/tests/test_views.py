"""The routing pages: the assignee's inbox and the managers' coverage, queue, KPIs and review."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from relais.accounts.choices import Role
from relais.core import tabular
from relais.core.jobs import run_job
from relais.core.models import BackgroundJob
from relais.leads import counters
from relais.leads.choices import SoldBy
from relais.leads.models import Lead, ProductCategory
from relais.partners.choices import PartnerStatus
from relais.routing import services
from relais.routing.models import Assignment, ReviewDecision, SalesTerritory
from relais.routing.tests.conftest import make_qualified, make_reseller
from relais.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def routed(manager, reseller, number=0):
    lead = make_qualified(manager, number)
    assignment = services.lead_route(lead_id=lead.pk)
    assert assignment.reseller == reseller
    return Lead.objects.get(pk=lead.pk)


@pytest.fixture
def two_resellers():
    return make_reseller(with_user=True), make_reseller(("13",), with_user=True)


def login(client, partner):
    client.force_login(partner.members.get().user)


def test_the_inbox_lists_only_the_resellers_own_leads(client, manager, two_resellers):
    mine, _theirs = two_resellers
    lead = routed(manager, mine, 1)
    other = make_qualified(manager, 2, postcode="13001")
    services.lead_route(lead_id=other.pk)
    login(client, mine)
    response = client.get("/portal/inbox/", HTTP_ACCEPT_LANGUAGE="en")
    assert [x.pk for x in response.context["page"]] == [lead.pk]
    for url in (f"/portal/inbox/{other.pk}/",):
        assert client.get(url).status_code == 404
    for url in (f"/portal/inbox/{other.pk}/status/", f"/portal/inbox/{other.pk}/decline/"):
        assert client.post(url, {"to": "in_progress", "reason": "x"}).status_code == 404
    assert Lead.objects.get(pk=other.pk).status == "assigned"


def test_the_first_view_marks_the_lead_opened_and_later_views_change_nothing(
    client, manager, two_resellers
):
    mine, _ = two_resellers
    lead = routed(manager, mine)
    login(client, mine)
    assert client.get(f"/portal/inbox/{lead.pk}/").status_code == 200
    first = Assignment.objects.get(lead=lead).opened_at
    assert first is not None
    assert Lead.objects.get(pk=lead.pk).status == "opened"
    client.get(f"/portal/inbox/{lead.pk}/")
    assert Assignment.objects.get(lead=lead).opened_at == first
    assert lead.events.filter(to_status="opened").count() == 1


def test_a_status_in_one_tap_from_the_list_with_htmx(client, manager, two_resellers):
    mine, _ = two_resellers
    lead = routed(manager, mine)
    login(client, mine)
    response = client.post(f"/portal/inbox/{lead.pk}/status/", {"to": "in_progress"}, **HTMX)
    assert response.status_code == 200
    assert 'data-status="in_progress"' in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == "in_progress"
    assert Assignment.objects.get(lead=lead).opened_at is not None  # opened on the way


def test_won_needs_an_amount_and_lost_a_reason(client, manager, two_resellers):
    mine, _ = two_resellers
    lead = routed(manager, mine)
    login(client, mine)
    url = f"/portal/inbox/{lead.pk}/status/"
    response = client.post(url, {"to": "won", "amount": ""}, **HTMX)
    assert response.status_code == 422
    assert "amount" in response.content.decode()
    assert Lead.objects.get(pk=lead.pk).status == "assigned"  # nothing half-done
    response = client.post(url, {"to": "lost", "lost_reason": "Too expensive"}, **HTMX)
    assert response.status_code == 200
    lead.refresh_from_db()
    assert (lead.status, lead.lost_reason) == ("lost", "Too expensive")


def test_each_card_offers_the_lost_reasons_in_the_readers_language(client, manager, two_resellers):
    mine, _ = two_resellers
    leads = [routed(manager, mine, n) for n in range(2)]
    login(client, mine)
    for language, reason in (("fr", "Trop cher"), ("en", "Too expensive")):
        page = client.get("/portal/inbox/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        button = f'name="lost_reason" value="{reason}">{reason}</button>'
        assert page.count(button) == len(leads), language
        for lead in leads:
            assert f'action="/portal/inbox/{lead.pk}/status/"' in page
            assert f'action="/portal/inbox/{lead.pk}/decline/"' in page
            assert f'href="/portal/inbox/{lead.pk}/"' in page


def test_declining_from_the_inbox_reroutes_and_the_card_leaves(client, manager):
    first, second = make_reseller(with_user=True), make_reseller()
    lead = routed(manager, first)
    login(client, first)
    url = f"/portal/inbox/{lead.pk}/decline/"
    assert client.post(url, {"reason": ""}, **HTMX).status_code == 422
    response = client.post(url, {"reason": "Hors de ma zone"}, **HTMX)
    assert (response.status_code, response.content) == (200, b"")
    lead.refresh_from_db()
    assert lead.assigned_reseller == second
    assert Assignment.objects.get(lead=lead, reseller=first).end_reason == "Hors de ma zone"


def test_a_product_sold_by_our_salespeople_goes_to_the_territorys_salesperson(client, manager):
    make_reseller()
    category = ProductCategory.objects.get(code="photovoltaique")
    category.sold_by = SoldBy.SALESPEOPLE
    category.save()
    seller = UserFactory(role=Role.SALESPERSON)
    SalesTerritory.objects.create(user=seller).departements.set(["69"])
    lead = make_qualified(manager, 3, category="photovoltaique")
    assignment = services.lead_route(lead_id=lead.pk)
    assert (assignment.salesperson, assignment.reseller) == (seller, None)
    client.force_login(seller)
    assert [x.pk for x in client.get("/portal/inbox/").context["page"]] == [lead.pk]
    client.post(f"/portal/inbox/{lead.pk}/status/", {"to": "won", "amount": "900"})
    assert Lead.objects.get(pk=lead.pk).status == "won"


def test_no_salesperson_territory_means_unassigned_with_the_reason(manager):
    category = ProductCategory.objects.get(code="photovoltaique")
    category.sold_by = SoldBy.SALESPEOPLE
    category.save()
    make_reseller()
    lead = make_qualified(manager, 4, category="photovoltaique")
    assert services.lead_route(lead_id=lead.pk) is None
    assert "salesperson" in lead.events.get(kind="unassigned").note


def test_the_unassigned_queue_shows_the_reason_and_a_manager_assigns_by_hand(client, manager):
    lead = make_qualified(manager, 5, postcode="23000")  # nobody serves the Creuse
    services.lead_route(lead_id=lead.pk)
    chosen = make_reseller(("87",))
    client.force_login(manager)
    response = client.get("/routing/unassigned/")
    assert [x.pk for x in response.context["page"]] == [lead.pk]
    # Routed in English (the fixture), read in French: the reason is said in the reader's
    # language, and in English for an English reader.
    assert "Aucun revendeur actif ne couvre ce département." in response.content.decode()
    english = client.get("/routing/unassigned/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No active reseller serves this département." in english
    url = f"/routing/leads/{lead.pk}/assign/"
    assert client.post(url, {"reseller": chosen.pk, "reason": ""}).status_code == 422
    response = client.post(url, {"reseller": chosen.pk, "reason": "Limousin voisin"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.assigned_reseller) == ("assigned", chosen)
    assert client.get("/routing/unassigned/").context["page"].paginator.count == 0
    assert "Limousin voisin" in client.get(url).content.decode()


def test_the_assignment_page_shows_the_best_candidates_and_counts_the_others(client, manager):
    best = [make_reseller(("69",)) for _ in range(12)]
    make_reseller(("69",), capacity=0)
    make_reseller(("69",), categories=("photovoltaique",))
    lead = make_qualified(manager, category="pompe-a-chaleur")
    assert services.lead_route(lead_id=lead.pk).reseller == best[0]  # all equal: lowest id
    client.force_login(manager)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(f"/routing/leads/{lead.pk}/assign/").content.decode()
    assert page.count("<tr") == 11  # the header and the ten best
    assert "The 10 best of 12 eligible." in page
    assert "Not eligible: 1 at their monthly capacity, 1 not taking this product" in page
    note = lead.events.get(kind="status", to_status="assigned").note
    assert "14 candidates, 2 excluded" in note


def test_coverage_shows_each_departement_against_the_norms(client, manager, settings):
    settings.RELAIS_ROUTING_YEARLY_MINIMUM = 1  # one lead a year feeds a reseller here
    for _ in range(4):
        make_reseller(("69",))
    make_reseller(("13",))
    for n in range(4):
        make_qualified(manager, 20 + n, postcode="69002")
    for n in range(3):
        make_qualified(manager, 10 + n, postcode="13002")
    client.force_login(manager)
    rows = {r.code: r for r in client.get("/routing/").context["rows"]}
    assert len(rows) >= 101
    assert (rows["69"].resellers, rows["69"].resellers_light) == (4, "green")
    assert (rows["13"].resellers, rows["13"].resellers_light, rows["13"].leads) == (1, "red", 3)
    assert rows["13"].recruit == 2  # its 3 leads feed 3 resellers, under the norm's 4
    assert rows["69"].recruit == 0


def reseller_year(manager, reseller, *, opened, won, total, start=0):
    t0 = timezone.now() - timedelta(days=60)
    for n in range(total):
        lead = make_qualified(manager, start + n)
        services.lead_route(lead_id=lead.pk, now=t0)
        if n < opened:
            services.assignment_open(lead=lead, reseller=reseller, actor=None)
        if n < won:
            services.assignee_declare(
                lead=lead, reseller=reseller, to="won", amount=1000, actor=None
            )


def test_kpis_rank_resellers_with_lights_and_export(client, manager):
    good = make_reseller(("69",))
    poor = make_reseller(("13",))
    reseller_year(manager, good, opened=6, won=4, total=6)
    for n in range(6):
        lead = make_qualified(manager, 100 + n, postcode="13001")
        services.lead_route(lead_id=lead.pk)
    client.force_login(manager)
    table = client.get("/routing/kpis/").context["table"]
    assert [k.assignee for k in table] == [good.pk, poor.pk]
    assert table[0].lights["open_rate"] == "green"
    assert table[1].lights["open_rate"] == "red"
    assert table[0].revenue == 4000
    two_years_ago = str(timezone.localdate().year - 2)
    response = client.get(f"/routing/kpis/?period={two_years_ago}")
    assert (response.context["period"], response.context["table"]) == (two_years_ago, [])
    from openpyxl import load_workbook

    response = client.get("/routing/kpis/?format=xlsx")
    assert response.streaming  # streamed from a temporary file, not built in memory
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in sheet[2]][:3] == [1, good.company_name, 6]
    assert sheet.cell(row=2, column=9).number_format == tabular.MONEY_FORMAT  # revenue in €


def test_kpi_figures_are_shared_for_a_while_and_a_manager_can_recompute_them(client, manager):
    reseller = make_reseller(("69",))
    reseller_year(manager, reseller, opened=2, won=1, total=2)
    client.force_login(manager)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    before = client.get("/routing/kpis/")
    assert before.context["table"][0].received == 2
    assert [k.assignee for k in before.context["page"]] == [reseller.pk]
    assert "Figures computed at" in before.content.decode()
    services.lead_route(lead_id=make_qualified(manager, 77).pk)
    assert client.get("/routing/kpis/").context["table"][0].received == 2  # the same snapshot
    assert client.get("/routing/kpis/?fresh=1").context["table"][0].received == 3


def test_a_reseller_sees_its_own_kpis_and_the_network_average_only(client, manager):
    mine = make_reseller(("69",), with_user=True)
    other = make_reseller(("13",))
    reseller_year(manager, mine, opened=4, won=2, total=4)
    for n in range(4):
        services.lead_route(lead_id=make_qualified(manager, 50 + n, postcode="13001").pk)
    login(client, mine)
    response = client.get("/portal/performance/")
    assert response.context["mine"].received == 4
    assert response.context["network"].received == 4  # 8 leads, 2 resellers
    assert other.company_name not in response.content.decode()
    assert client.get("/routing/kpis/").status_code == 403


def test_the_yearly_review_proposes_and_the_manager_accepts_in_bulk(client, manager):
    good = make_reseller(("69",))
    reseller_year(manager, good, opened=12, won=6, total=12)  # works its leads: it stays
    idle = make_reseller(("69",))  # joined after: no lead this year
    year = timezone.localtime(timezone.now() - timedelta(days=60)).year
    client.force_login(manager)
    reviews = client.get(f"/routing/review/{year}/").context["reviews"]
    proposals = {p.reseller.pk: p for r in reviews for p in r.proposals}
    assert proposals[good.pk].proposal in ("keep", "coach", "remove", "pause")
    assert proposals[idle.pk].proposal == "pause"  # no lead, and the département is thin
    response = client.post(f"/routing/review/{year}/", {"accept": [idle.pk]})
    assert response.status_code == 302
    idle.refresh_from_db()
    assert idle.status == PartnerStatus.PAUSED
    assert ReviewDecision.objects.get(reseller=idle).proposal == "pause"
    client.post(f"/routing/review/{year}/", {"accept": [idle.pk]})  # twice: still one decision
    assert ReviewDecision.objects.filter(reseller=idle).count() == 1
    asked = client.post(f"/routing/review/{year}/pdf/")  # made by the task worker
    job = BackgroundJob.objects.get()
    assert asked["Location"] == f"/jobs/{job.pk}/"
    run_job.call(job.pk)
    pdf = client.get(f"/jobs/{job.pk}/file")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    from openpyxl import load_workbook

    xlsx = client.get(f"/routing/review/{year}/?format=xlsx", headers={"accept-language": "en"})
    assert xlsx.streaming
    rows = list(load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active.values)
    assert any(row[4] == str(idle) and row[5] == "Pause" for row in rows[1:])


def test_routing_pages_are_for_managers(client, two_resellers, salesperson):
    mine, _ = two_resellers
    login(client, mine)
    for url in ("/routing/", "/routing/unassigned/", "/routing/kpis/", "/routing/review/2026/"):
        assert client.get(url).status_code == 403, url
    client.force_login(salesperson)
    assert client.get("/routing/").status_code == 403
    assert client.get("/portal/inbox/").status_code == 200


def test_the_inbox_and_kpi_table_cost_a_fixed_number_of_queries(
    client, manager, two_resellers, django_assert_max_num_queries
):
    mine, _ = two_resellers
    for n in range(8):
        routed(manager, mine, n)
    login(client, mine)
    with django_assert_max_num_queries(12):
        inbox = client.get("/portal/inbox/")
    # A refused or broken page is cheap too: the count means something only for the real page.
    assert inbox.status_code == 200
    assert len(inbox.context["page"]) == 8
    client.force_login(manager)
    counters.refresh()  # as the scheduled refresh does; its own cost is tested with the counters
    with django_assert_max_num_queries(14):
        kpis = client.get("/routing/kpis/")
    assert kpis.status_code == 200
    assert mine.pk in {row.assignee for row in kpis.context["table"]}


def test_the_inbox_api_opens_declares_and_declines_only_the_assignees_leads(api_client, manager):
    first, second = make_reseller(with_user=True), make_reseller(with_user=True)
    lead = routed(manager, first, 1)
    other = routed(manager, second, 2)
    api = api_client(first.members.get().user)
    assert [x["id"] for x in api.get("/api/v1/inbox").json()["items"]] == [lead.pk]
    assert api.post(f"/api/v1/inbox/{other.pk}/open").status_code == 404
    assert api.post(f"/api/v1/inbox/{lead.pk}/open").json()["status"] == "opened"
    response = api.post(
        f"/api/v1/inbox/{lead.pk}/status", {"to": "won"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "amount_required"
    response = api.post(
        f"/api/v1/inbox/{lead.pk}/status",
        {"to": "won", "amount": "4200.00"},
        content_type="application/json",
    )
    assert (response.json()["status"], response.json()["won_amount"]) == ("won", "4200.00")
    third = routed(manager, first, 3)
    response = api.post(
        f"/api/v1/inbox/{third.pk}/decline", {"reason": "Complet"}, content_type="application/json"
    )
    assert response.status_code == 204
    assert Lead.objects.get(pk=third.pk).assigned_reseller == second
    read_only = api_client(first.members.get().user, scopes=("read",))
    assert read_only.post(f"/api/v1/inbox/{lead.pk}/open").status_code == 403


def test_a_reseller_declares_its_departements_products_and_capacity(client, manager):
    from relais.core.audit import audit_trail
    from relais.routing.models import CoverageRequest

    mine = make_reseller(("69",), with_user=True)
    login(client, mine)
    assert client.post("/portal/coverage/", {"monthly_capacity": "8"}).status_code == 422
    pv = ProductCategory.objects.get(code="photovoltaique")
    response = client.post(
        "/portal/coverage/",
        {"departements": ["69", "01"], "categories": [str(pv.pk)], "monthly_capacity": "8"},
    )
    assert response.status_code == 302
    # A request a manager approves (routing/tests/test_coverage_requests.py): then it applies.
    assert list(mine.served_departements.values_list("code", flat=True)) == ["69"]
    services.coverage_request_approve(
        coverage_request=CoverageRequest.objects.get(partner=mine), actor=manager
    )
    mine.refresh_from_db()
    assert sorted(mine.served_departements.values_list("code", flat=True)) == ["01", "69"]
    assert list(mine.routing_profile.categories.all()) == [pv]
    assert mine.routing_profile.monthly_capacity == 8
    entry = audit_trail(mine).get(action="routing_profile")
    assert entry.changes["monthly_capacity"] == [20, 8]
    introducer_user = UserFactory(role=Role.INTRODUCER)
    from relais.partners.models import PartnerMember
    from relais.testing.factories import PartnerFactory

    PartnerMember.objects.create(user=introducer_user, partner=PartnerFactory())
    client.force_login(introducer_user)
    assert client.get("/portal/coverage/").status_code == 404
