"""One definition of coverage for the coverage page, the dashboard and the yearly review; a
review that decides nothing for the manager; the network's average per reseller."""

import re

import pytest
from django.utils import timezone, translation

from relais.core.models import Departement
from relais.partners.choices import PartnerStatus
from relais.routing import services
from relais.routing.models import ReviewDecision
from relais.routing.tests.conftest import make_qualified, make_reseller
from relais.routing.tests.test_views import reseller_year

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def thin_departement(manager, resellers=3, leads=6):
    """Resellers living in and serving 13, with fewer leads than they need between them."""
    home = Departement.objects.get(code="13")
    made = [make_reseller(("13",)) for _ in range(resellers)]
    for partner in made:
        type(partner).objects.filter(pk=partner.pk).update(departement=home, postcode="13001")
    for n in range(leads):
        make_qualified(manager, 900 + n, postcode="13002")
    return made


def test_a_departement_is_never_told_to_recruit_while_its_resellers_are_paused(client, manager):
    resellers = thin_departement(manager)
    client.force_login(manager)
    rows = {r.code: r for r in client.get("/routing/").context["rows"]}
    assert (rows["13"].resellers, rows["13"].leads) == (3, 6)
    assert rows["13"].recruit == 0
    assert rows["13"].crowded
    year = timezone.localdate().year
    review = next(
        r
        for r in client.get(f"/routing/review/{year}/").context["reviews"]
        if r.coverage.code == "13"
    )
    assert review.coverage.recruit == 0
    # Its 6 leads need one reseller: the two least served are proposed a pause, not all three.
    proposals = {p.reseller.pk: p.proposal for p in review.proposals}
    assert sorted(proposals.values()) == ["keep", "pause", "pause"]
    assert set(proposals) == {r.pk for r in resellers}
    page = client.get(f"/routing/review/{year}/").content.decode()
    section = page[page.index('data-departement="13"') :].split("</section>")[0]
    assert "Recruit" not in section
    # Accepted, the pauses leave the one reseller its leads need: still nobody to recruit.
    paused = [pk for pk, proposal in proposals.items() if proposal == "pause"]
    client.post(f"/routing/review/{year}/", {"accept": paused})
    after = {r.code: r for r in client.get("/routing/").context["rows"]}["13"]
    assert (after.resellers, after.recruit, after.crowded) == (1, 0, False)


def test_leads_beyond_what_the_resellers_take_ask_for_recruits_not_pauses(
    client, manager, settings
):
    settings.RELAIS_ROUTING_YEARLY_MINIMUM = 2
    make_reseller(("13",), capacity=1)
    for n in range(30):
        make_qualified(manager, 700 + n, postcode="13002")
    client.force_login(manager)
    row = {r.code: r for r in client.get("/routing/").context["rows"]}["13"]
    # 30 leads feed 15 resellers, the norm asks 4 (and 3 for capacity): 3 more than the one.
    assert (row.recruit, row.crowded, row.resellers_light) == (3, False, "red")


def test_the_coverage_page_counts_the_departements_the_dashboard_counts(client, manager):
    for code in ("69", "13", "75"):
        make_reseller((code,))
    client.force_login(manager)
    page = client.get("/routing/")
    summary = page.context["summary"]
    assert (summary.covered, summary.departements) == (3, 101)
    assert "3 / 101 départements covered" in page.content.decode()
    dashboard = client.get("/dashboard/").context["summary"]
    assert (dashboard.departements_covered, dashboard.departements_total) == (3, 101)
    # Every row is a département (or a collectivity with leads or resellers): 101, not 104.
    assert len(page.context["rows"]) == 101
    assert "104" not in page.content.decode()


def test_the_review_ticks_nothing_and_applies_only_what_the_manager_ticked(client, manager):
    # Alone in their départements, too few leads to judge: each is proposed "keep".
    keepers = []
    for code in ("01", "02", "03", "04"):
        partner = make_reseller((code,))
        type(partner).objects.filter(pk=partner.pk).update(departement_id=code)
        keepers.append(partner)
    year = timezone.localdate().year
    client.force_login(manager)
    page = client.get(f"/routing/review/{year}/")
    assert {p.proposal for r in page.context["reviews"] for p in r.proposals} == {"keep"}
    boxes = re.findall(r'<input type="checkbox" name="accept"[^>]*>', page.content.decode())
    assert len(boxes) == 4
    assert not [box for box in boxes if "checked" in box]
    assert "4 proposals have no decision yet" in page.content.decode()
    # Accepting with nothing ticked applies nothing, and says so.
    answer = client.post(f"/routing/review/{year}/", {}, follow=True).content.decode()
    assert not ReviewDecision.objects.exists()
    assert "Tick the proposals you accept." in answer
    answer = client.post(f"/routing/review/{year}/", {"accept": [keepers[0].pk]}, follow=True)
    assert list(ReviewDecision.objects.values_list("reseller_id", flat=True)) == [keepers[0].pk]
    assert "1 proposal accepted. 3 proposals have no decision yet." in answer.content.decode()
    assert all(p.status == PartnerStatus.ACTIVE for p in keepers)


def test_the_network_average_is_per_reseller_not_the_network_total(client, manager):
    busy, _quiet = make_reseller(("69",), with_user=True), make_reseller(("13",))
    reseller_year(manager, busy, opened=4, won=2, total=4)
    services.lead_route(lead_id=make_qualified(manager, 60, postcode="13001").pk)
    client.force_login(manager)
    page = client.get("/routing/kpis/")
    network = page.context["network"]
    assert network.received == 2.5  # (4 + 1) / 2 resellers, not 5
    assert network.revenue == 1000  # 2,000 € won by one of the two
    assert network.open_rate == 4 / 5  # a rate stays the network's own
    row = re.search(r'<tr class="network">(.*?)</tr>', page.content.decode())
    assert row
    assert '<td class="num">2.5</td>' in row[1]
    client.force_login(busy.members.get().user)
    mine = client.get("/portal/performance/")
    assert mine.context["mine"].received == 4
    assert mine.context["network"].received == 2.5


def test_an_accepted_reason_is_read_in_the_readers_language_not_the_writers(client, manager):
    resellers = thin_departement(manager)
    year = timezone.localdate().year
    client.force_login(manager)
    review = next(
        r
        for r in client.get(f"/routing/review/{year}/").context["reviews"]
        if r.coverage.code == "13"
    )
    paused = [p.reseller.pk for p in review.proposals if p.proposal == "pause"]
    client.post(f"/routing/review/{year}/", {"accept": paused})  # accepted by an English reader
    assert ReviewDecision.objects.filter(reseller__in=resellers).count() == 2
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    with translation.override("fr"):
        page = client.get(f"/routing/review/{year}/").content.decode()
    section = page[page.index('data-departement="13"') :].split("</section>")[0]
    assert "le département a plus de revendeurs que ses leads n&#x27;en demandent" in section
    assert "the département has more resellers" not in section
