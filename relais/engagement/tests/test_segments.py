"""The lifecycle segments judged from real leads (through the partner-month counters), the
moves between them, and the counter staying equal to a recomputation from scratch."""

from __future__ import annotations

import threading
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from relais.engagement.counters import month_of
from relais.engagement.models import PartnerMonth, PartnerSegment, SegmentMove
from relais.engagement.segments import months_back, segment_partners, segments_judge
from relais.engagement.selectors import segment_overview
from relais.leads import counters
from relais.leads.choices import Channel, LeadStatus
from relais.leads.counters import local_zone
from relais.leads.models import Lead
from relais.leads.services import lead_submit
from relais.partners.models import Partner
from relais.routing import services as routing
from relais.routing.tests.conftest import make_qualified, make_reseller
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db

_numbers = iter(range(100_000))


def month_day(months_ago: int, today: date | None = None) -> datetime:
    """The 10th, noon, ``months_ago`` months before this month (Paris time)."""
    first = months_back(month_of(today or timezone.localdate()), months_ago)
    return datetime.combine(first.replace(day=10), time(12), tzinfo=local_zone())


def refer(partner: Partner, months_ago: int = 0, *, won: Decimal | None = None) -> Lead:
    """A lead the introducer submitted ``months_ago`` months back (won for ``won`` euros)."""
    n = next(_numbers)
    lead = lead_submit(
        data={"last_name": f"Prospect {n}", "phone": f"0622{n:06d}", "postcode": "69003"},
        channel=Channel.PORTAL,
        partner=partner,
    )
    at = month_day(months_ago)
    changes: dict[str, object] = {"submitted_at": at}
    if won is not None:
        changes |= {"status": LeadStatus.WON, "qualified_at": at, "won_at": at, "won_amount": won}
    with transaction.atomic():  # a back-dated lead, marked for the counters as a service would
        Lead.objects.filter(pk=lead.pk).update(**changes)
        counters.touch([lead.pk])
    return lead


def introducer(days_old: int = 200, **kwargs: object) -> Partner:
    partner = PartnerFactory(**kwargs)
    joined = timezone.now() - timedelta(days=days_old)
    Partner.objects.filter(pk=partner.pk).update(created_at=joined)
    return partner


def segment_of(partner: Partner) -> str:
    return PartnerSegment.objects.get(partner=partner).segment


def test_each_introducer_lands_in_the_segment_its_leads_say():
    champion, active, occasional, dormant = (introducer() for _ in range(4))
    for n in range(12):
        refer(champion, n % 6)
    for months in (1, 5, 7):
        refer(active, months)
    refer(occasional, 2)
    refer(dormant, 8)
    refer(dormant, 9)
    new = introducer(days_old=3)
    never = introducer(days_old=90)
    ended = introducer(status="ended")
    refer(ended, 1)

    segments_judge()

    assert segment_of(champion) == "champion"
    assert segment_of(active) == "active"
    assert segment_of(occasional) == "occasional"
    assert segment_of(dormant) == "dormant"
    assert segment_of(new) == "new"
    assert segment_of(never) == "never"
    assert not PartnerSegment.objects.filter(partner=ended).exists()
    row = PartnerSegment.objects.get(partner=active)
    assert (row.leads_12m, row.last_lead_month) == (3, month_of(month_day(1).date()))
    assert list(segment_partners("dormant")) == [dormant]
    assert not segment_partners("nonsense").exists()


def test_a_former_champion_silent_for_the_dormant_months_is_dormant(settings):
    settings.RELAIS_SEGMENT_DORMANT_MONTHS = 6
    partner = introducer()
    for _ in range(12):
        refer(partner, 7)
    segments_judge()
    assert segment_of(partner) == "dormant"


def test_an_active_introducer_needs_a_lead_in_the_last_three_months():
    partner = introducer()
    for months in (3, 4, 5):
        refer(partner, months)
    segments_judge()
    assert segment_of(partner) == "occasional"
    refer(partner, 0)
    segments_judge()
    assert segment_of(partner) == "active"


def test_a_partner_going_dormant_and_one_waking_up_are_the_months_moves():
    today = timezone.localdate()
    last_month = months_back(month_of(today), 1)
    sleeper, sleeper_later, waker = introducer(), introducer(), introducer()
    refer(sleeper, 6)  # within the last 6 months (this one and 5 before) until it turns
    refer(sleeper_later, 6)
    refer(waker, 9)
    segments_judge(today=last_month)  # judged a month ago
    assert segment_of(sleeper) == "occasional"
    assert segment_of(waker) == "dormant"
    assert SegmentMove.objects.filter(from_segment="").count() == 3  # first judgements

    refer(waker, 0)  # woke up this month
    refer(sleeper_later, 0)  # stays awake
    segments_judge(today=today)

    assert segment_of(sleeper) == "dormant"
    assert segment_of(waker) == "occasional"
    overview = segment_overview(today=today)
    assert (overview.went_dormant.this_month, overview.woke_up.this_month) == (1, 1)
    counts = {row.code: row for row in overview.introducers}
    assert (counts["dormant"].count, counts["dormant"].moved_in, counts["dormant"].moved_out) == (
        1,
        1,
        1,
    )
    assert counts["occasional"].at_month_start == 2  # sleeper and sleeper_later on the 1st
    assert PartnerSegment.objects.get(partner=waker).since == today


def test_judging_again_changes_nothing_and_moves_nobody():
    partner = introducer()
    refer(partner, 1)
    segments_judge()
    moves = SegmentMove.objects.count()
    summary = segments_judge()
    assert SegmentMove.objects.count() == moves
    assert "0 changed" in summary
    assert segment_of(partner) == "occasional"


def test_the_partner_months_after_changes_equal_a_rebuild():
    partner = introducer()
    a = refer(partner, 1)
    refer(partner, 1, won=Decimal("1250.50"))
    refer(partner, 2)
    refer(partner, 3)
    counters.refresh()
    with transaction.atomic():  # won later: its month's bucket changes, not its count
        changes = {
            "status": LeadStatus.WON,
            "won_amount": Decimal("99.50"),
            "won_at": timezone.now(),
        }
        Lead.objects.filter(pk=a.pk).update(**changes)
        counters.touch([a.pk])
    counters.refresh()
    fields = ("partner_id", "month", "submitted", "qualified", "won", "won_amount")
    refreshed = sorted(PartnerMonth.objects.values_list(*fields))
    counters.rebuild()
    assert sorted(PartnerMonth.objects.values_list(*fields)) == refreshed
    months = {row[1]: row for row in refreshed}
    one = months[month_of(month_day(1).date())]
    assert (one[2], one[4], one[5]) == (2, 2, Decimal("1350.00"))
    assert months[month_of(month_day(2).date())][2] == 1


def _route(lead: Lead, reseller: Partner, manager, *, opened: bool, to: str | None) -> None:
    routing.assignment_create(lead=lead, actor=manager, reason="test", reseller=reseller)
    mine = {"lead": lead, "reseller": reseller, "actor": None}
    if opened:
        routing.assignment_open(**mine)
    if to == "won":
        routing.assignee_declare(**mine, to="won", amount=Decimal("1000"))
    elif to == "lost":
        routing.assignee_declare(**mine, to="lost", lost_reason="price")
    elif to:
        routing.assignee_declare(**mine, to=to)


def test_resellers_are_judged_by_their_kpi_lights(manager):
    good, bad, young = make_reseller(), make_reseller(), make_reseller()
    outcomes = ["won"] * 3 + ["lost"] * 2 + ["in_progress"] * 5
    for n, outcome in enumerate(outcomes):
        _route(make_qualified(manager, 100 + n), good, manager, opened=True, to=outcome)
    for n in range(6):
        _route(make_qualified(manager, 200 + n), bad, manager, opened=False, to=None)
    _route(make_qualified(manager, 300), young, manager, opened=True, to="won")

    segments_judge()

    assert segment_of(good) == "r_green"
    assert segment_of(bad) == "r_red"
    assert segment_of(young) == "r_unjudged"
    overview = segment_overview()
    assert {row.code: row.count for row in overview.resellers} == {
        "r_green": 1,
        "r_amber": 0,
        "r_red": 1,
        "r_unjudged": 1,
    }


def test_the_judgement_is_a_recurring_job_of_the_task_worker(settings):
    from relais.core import scheduling

    (job,) = [job for job in scheduling.jobs() if job.name == "engagement.segments"]
    assert job.every == timedelta(minutes=settings.RELAIS_SEGMENT_SWEEP_MINUTES)
    partner = introducer()
    refer(partner, 0)
    assert "1 partners judged the first time" in job.run(timezone.now())
    assert segment_of(partner) == "occasional"


def test_a_partner_no_longer_live_leaves_its_segment():
    partner = introducer()
    segments_judge()
    Partner.objects.filter(pk=partner.pk).update(status="ended")
    segments_judge()
    assert not PartnerSegment.objects.filter(partner=partner).exists()
    assert not segment_partners("never").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_judgements_at_once_write_each_partner_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, so there is no race")
    partners = [introducer() for _ in range(30)]
    for partner in partners[:10]:
        refer(partner, 1)
    barrier, errors = threading.Barrier(2), []

    def judge() -> None:
        barrier.wait(timeout=10)
        try:
            segments_judge()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=judge) for _ in range(2)]
    [t.start() for t in threads]
    [t.join(timeout=60) for t in threads]
    assert errors == []
    assert PartnerSegment.objects.count() == 30
    assert SegmentMove.objects.count() == 30  # the first judgements, once each
