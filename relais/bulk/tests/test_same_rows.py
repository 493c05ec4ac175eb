"""The fast path stores what the plain ORM stores: the same input, written once by the ORM twins
(``INTAKE_ALWAYS`` off, every write below ``ORM_BELOW`` rows) and once by the raw writers of
``leads.bulk`` (``INSERT … SELECT``, ``UPDATE … FROM``), leaves the same rows — leads, prospect
keys, timeline, counter and notice marks, and once routed, the assignments and the leads' new
status. The leads, events and assignments themselves go through ``fastinsert`` either way; that
it stores what ``bulk_create`` stores is ``test_fastinsert.py``'s."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

import relais.bulk
from relais.leads import bulk, services
from relais.leads.choices import Channel, LeadStatus
from relais.leads.intake import Submission
from relais.leads.models import Lead, LeadEvent, LeadTouch, NoticeDue, ProspectKey, Suppression
from relais.routing.models import Assignment, ResellerProfile
from relais.routing.router import leads_route
from relais.testing.factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db

NOON = "2026-12-02 12:00:00"
PLAIN, FAST = False, True


@pytest.fixture
def path(monkeypatch):
    """Which path the writers take: ``path(PLAIN)`` (the ORM twins at every size) or
    ``path(FAST)`` (the raw writers at every size)."""

    def take(fast: bool) -> None:
        monkeypatch.setattr(bulk, "INTAKE_ALWAYS", fast)
        monkeypatch.setattr(relais.bulk, "ORM_BELOW", 1 if fast else 10**9)

    return take


def person(n: int, **changes: str) -> dict[str, str]:
    return {"last_name": f"Prospect {n}", "email": f"p{n}@orange.fr", "postcode": "69003"} | changes


@pytest.fixture
def known(settings):
    """What the database holds before the batch: a lead another introducer sent, one sent long
    ago, an objection, and the two introducers."""
    ana, bob = PartnerFactory(), PartnerFactory()
    with freeze_time(NOON) as clock:
        clock.tick(-3600)
        services.lead_submit(
            data=person(90, phone="0644444444"), channel=Channel.PORTAL, partner=bob
        )
        stale = services.lead_submit(data=person(91), channel=Channel.PORTAL, partner=bob)
    long_ago = stale.submitted_at - timedelta(days=settings.RELAIS_LEAD_PROTECTION_DAYS + 1)
    ProspectKey.objects.filter(lead=stale).update(lead_submitted_at=long_ago)
    Suppression.objects.create(kind="phone", value="+33611111111")
    LeadTouch.objects.all().delete()
    NoticeDue.objects.all().delete()
    return ana, bob


def batch(ana, bob) -> list[Submission]:
    """Every case of the decision, and enough leads past ``SMALL`` for a real batch."""
    rows = [
        (person(1, phone="0633333333", need="PAC", estimated_value="1200.50"), ana),
        (person(1), ana),  # the same introducer again: a rejected duplicate
        (person(1, phone="0622222222"), bob),  # another introducer: a conflict
        (person(2, email="", phone="06 33 33 33 33"), ana),  # the first's phone only
        ({"company_name": "ACME SAS", "email": "a@acme.fr", "postcode": "69003"}, ana),
        ({"company_name": "Acme", "email": "b@acme.fr", "postcode": "69003"}, bob),
        (person(90), ana),  # the prospect bob sent before the batch
        (person(91), ana),  # known long ago: new again
        (person(3, email=ana.email), ana),  # the introducer's own address
        (person(4, phone="0611111111"), None),  # objected: held
        ({"last_name": "", "postcode": "7500"}, ana),  # refused
        (person(5, email="", phone="0655555555"), None),  # no e-mail: no notice owed
    ]
    rows += [(person(100 + n, postcode=("69003", "75011")[n % 2]), ana) for n in range(25)]
    return [Submission(dict(data), partner=partner) for data, partner in rows]


def stored(outcomes: list) -> dict[str, list]:
    """Every row the intake wrote, ids replaced by the batch's item (or "before")."""
    item = {lead.pk: i for i, lead in enumerate(outcomes) if isinstance(lead, Lead)}

    def ref(pk: int | None) -> object:
        return None if pk is None else item.get(pk, "before")

    leads = []
    for row in Lead.objects.filter(pk__in=item).values():
        row["id"], row["duplicate_of_id"] = ref(row["id"]), ref(row["duplicate_of_id"])
        leads.append(row)
    events = []
    for row in LeadEvent.objects.filter(lead_id__in=item).values():
        row.pop("id")
        row["lead_id"] = ref(row["lead_id"])
        if "duplicate_of" in row["data"]:
            row["data"]["duplicate_of"] = ref(row["data"]["duplicate_of"])
        events.append(row)
    keys = [
        (kind, value, ref(lead), at)
        for kind, value, lead, at in ProspectKey.objects.values_list(
            "kind", "value", "lead_id", "lead_submitted_at"
        )
    ]
    return {
        "leads": sorted(leads, key=lambda r: r["id"]),
        "events": sorted(events, key=lambda r: (r["lead_id"], r["kind"])),
        "keys": sorted(keys, key=str),
        "touched": sorted(ref(pk) for pk in LeadTouch.objects.values_list("lead_id", flat=True)),
        "notices": sorted(ref(pk) for pk in NoticeDue.objects.values_list("lead_id", flat=True)),
    }


def submitted(path, fast: bool, items: list[Submission]) -> dict[str, list]:
    path(fast)
    with transaction.atomic(), freeze_time(NOON):
        with CaptureQueriesContext(connection) as queries:
            outcomes = services.leads_submit(items=items, channel=Channel.API)
        rows = stored(outcomes)
        transaction.set_rollback(True)  # the other path starts from the same database
    return rows | {"fast": [_fast(queries)]}


def _fast(queries: CaptureQueriesContext) -> bool:
    """Whether the raw writers wrote: their statements read their rows from ``sqlrows``'
    ``column1 …`` source."""
    return any("column1" in q["sql"] for q in queries.captured_queries)


def test_a_batch_stores_the_same_rows_through_the_orm_and_the_fast_path(known, path):
    items = batch(*known)
    plain = submitted(path, PLAIN, items)
    fast = submitted(path, FAST, items)
    assert (plain.pop("fast"), fast.pop("fast")) == ([False], [True])
    assert fast == plain
    # and every kind of row is there, with the cases the batch was made of:
    assert len(plain["leads"]) == len(items) - 1  # one refused
    statuses = [(r["status"], r["review_reason"], r["duplicate_of_id"]) for r in plain["leads"]]
    assert ("rejected", "", 0) in statuses
    assert ("submitted", "conflict", 0) in statuses
    assert ("submitted", "conflict", "before") in statuses
    assert ("submitted", "suppressed", None) in statuses
    assert ("submitted", "self_referral", None) in statuses
    assert len(plain["events"]) == len(plain["leads"])
    assert len(plain["touched"]) == len(plain["leads"])
    assert 0 < len(plain["notices"]) < len(plain["leads"])
    assert any(lead == "before" for _k, _v, lead, _at in plain["keys"])


def test_one_lead_stores_the_same_rows_through_the_orm_and_the_fast_path(known, path):
    ana, _bob = known
    items = [Submission(person(7, phone="0677777777"), partner=ana)]
    plain, fast = submitted(path, PLAIN, items), submitted(path, FAST, items)
    assert (plain.pop("fast"), fast.pop("fast")) == ([False], [True])
    assert fast == plain


def resellers() -> None:
    for departement in ("69", "75"):
        for capacity in (3, 40):
            partner = PartnerFactory(reseller=True)
            partner.served_departements.set([departement])
            ResellerProfile.objects.update_or_create(
                partner=partner, defaults={"monthly_capacity": capacity}
            )


def routed(path, fast: bool, lead_ids: list[int]) -> dict[str, list]:
    """Route the leads; what the router and ``leads_move`` wrote, ids replaced by positions."""
    path(fast)
    order = {pk: i for i, pk in enumerate(lead_ids)}
    with transaction.atomic(), freeze_time(NOON):
        with CaptureQueriesContext(connection) as queries:
            leads_route(lead_ids=lead_ids, now=timezone.now())
        leads = list(
            Lead.objects.filter(pk__in=lead_ids).values_list(
                "pk", "status", "assigned_at", "assigned_reseller_id"
            )
        )
        assignments = [
            {**row, "id": None, "lead_id": order[row["lead_id"]]}
            for row in Assignment.objects.filter(lead_id__in=lead_ids).values()
        ]
        events = [
            {**row, "id": None, "lead_id": order[row["lead_id"]]}
            for row in LeadEvent.objects.filter(lead_id__in=lead_ids, at=timezone.now()).values()
        ]
        touched = sorted(order[pk] for pk in LeadTouch.objects.values_list("lead_id", flat=True))
        transaction.set_rollback(True)
    return {
        "leads": sorted((order[pk], *rest) for pk, *rest in leads),
        "assignments": sorted(assignments, key=lambda r: r["lead_id"]),
        "events": sorted(events, key=lambda r: (r["lead_id"], r["kind"])),
        "touched": touched,
        "fast": [_fast(queries)],
    }


def test_a_routing_batch_stores_the_same_rows_through_the_orm_and_the_fast_path(known, path):
    ana, _bob = known
    resellers()
    manager = UserFactory(role="manager")
    items = [
        Submission(person(200 + n, postcode=("69003", "75011", "13008")[n % 3]), partner=ana)
        for n in range(30)
    ]
    leads = services.leads_submit(items=items, channel=Channel.API)
    for lead in leads:
        services.lead_transition(lead=lead, to=LeadStatus.QUALIFIED, actor=manager)
    LeadTouch.objects.all().delete()
    ids = [lead.pk for lead in leads]
    plain = routed(path, PLAIN, ids)
    fast = routed(path, FAST, ids)
    assert (plain.pop("fast"), fast.pop("fast")) == ([False], [True])
    assert fast == plain
    statuses = [status for _i, status, *_rest in plain["leads"]]
    assert statuses.count(LeadStatus.ASSIGNED) == 20  # the 69 and 75 leads; no one serves 13
    assert {e["kind"] for e in plain["events"]} == {"status", "unassigned"}
    assert len(plain["assignments"]) == 20
    assigned = [i for i, status, *_rest in plain["leads"] if status == LeadStatus.ASSIGNED]
    assert plain["touched"] == assigned
