"""The router: territory, products, fairness, capacity, declines, manual override."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone, translation

from relais.core.audit import audit_trail
from relais.core.errors import DomainError
from relais.core.outbox import deliver_all
from relais.leads.models import Lead, LeadEvent, ProductCategory
from relais.leads.services import lead_submit, lead_transition
from relais.routing import services
from relais.routing.models import Assignment, ResellerProfile
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def reseller(departements=("69",), capacity=20, categories=()):
    partner = PartnerFactory(reseller=True)
    partner.served_departements.set(departements)
    profile, _ = ResellerProfile.objects.get_or_create(partner=partner)
    profile.monthly_capacity = capacity
    profile.save()
    profile.categories.set(ProductCategory.objects.filter(code__in=categories))
    return partner


def qualified(manager, number=0, postcode="69003", category=""):
    lead = lead_submit(
        data={
            "last_name": f"P{number}",
            "phone": f"0611{number:06d}",
            "postcode": postcode,
            "category": category,
        },
        channel="staff",
    )
    return lead_transition(lead=lead, to="qualified", actor=manager)


def test_qualifying_a_lead_routes_it_to_a_reseller_of_its_departement(
    manager, django_capture_on_commit_callbacks
):
    lyon, paris = reseller(("69",)), reseller(("75",))
    with django_capture_on_commit_callbacks(execute=True):
        lead = qualified(manager)
    deliver_all()  # what the woken worker does
    lead.refresh_from_db()
    assert (lead.status, lead.assigned_reseller) == ("assigned", lyon)
    explanation = Assignment.objects.get(lead=lead).explanation
    assert explanation["chosen"] == lyon.pk
    assert [c["id"] for c in explanation["candidates"]] == [lyon.pk]
    assert paris.assigned_leads.count() == 0


def test_the_reseller_below_the_yearly_minimum_comes_first(manager):
    busy, starving = reseller(), reseller()
    past = timezone.now() - timedelta(days=100)
    for n in range(12):
        old = qualified(manager, 100 + n)
        Assignment.objects.create(lead=old, reseller=busy, assigned_at=past)
    assignment = services.lead_route(lead_id=qualified(manager).pk)
    assert assignment.reseller == starving
    by_id = {c["id"]: c for c in assignment.explanation["candidates"]}
    assert (by_id[busy.pk]["last_12_months"], by_id[starving.pk]["last_12_months"]) == (12, 0)


@pytest.mark.parametrize(
    ("language", "served", "below"),
    [
        (
            "en",
            "→ {}: the least served, weighted by its KPIs (12 leads in 12 months); 1 candidate,"
            " 0 excluded.",
            "→ {}: below the yearly minimum of 10 (0 leads in 12 months); 2 candidates, 1 excluded.",
        ),
        (
            "fr",
            "→ {} : le moins servi, pondéré par ses KPI (12 leads sur 12 mois) ; 1 candidat,"
            " 0 exclu.",
            "→ {} : sous le minimum annuel de 10 (0 leads sur 12 mois) ; 2 candidats, 1 exclu.",
        ),
    ],
)
def test_the_timeline_says_in_one_sentence_why_each_reseller_was_chosen(
    manager, settings, language, served, below
):
    settings.RELAIS_ROUTING_YEARLY_MINIMUM = 10
    busy, starving = reseller(("69",)), reseller(("75",))
    reseller(("75",), capacity=0)  # a second candidate in the 75, excluded: it is full
    past = timezone.now() - timedelta(days=100)
    for n in range(12):
        Assignment.objects.create(lead=qualified(manager, 100 + n), reseller=busy, assigned_at=past)
    leads = [qualified(manager, 1), qualified(manager, 2, postcode="75011")]
    with translation.override(language):
        services.leads_route(lead_ids=[lead.pk for lead in leads])
    notes = [LeadEvent.objects.get(lead=lead, to_status="assigned").note for lead in leads]
    assert notes == [served.format(busy.company_name), below.format(starving.company_name)]


def test_ties_are_broken_the_same_way_every_time(manager):
    first, second = reseller(), reseller()
    picks = [services.lead_route(lead_id=qualified(manager, n).pk).reseller for n in range(4)]
    assert picks == [first, second, first, second]


def test_in_one_batch_each_choice_sees_the_ones_before_it(manager):
    """The batch path ranks by counts that move as it assigns: four leads routed together
    alternate between two equal resellers, and each explanation shows the counts it met."""
    first, second = reseller(), reseller()
    leads = [qualified(manager, n) for n in range(4)]
    made = services.leads_route(lead_ids=[lead.pk for lead in leads])
    assert [a.reseller for a in made] == [first, second, first, second]
    met = [{c["id"]: c["last_12_months"] for c in a.explanation["candidates"]} for a in made]
    assert met == [
        {first.pk: 0, second.pk: 0},
        {first.pk: 1, second.pk: 0},
        {first.pk: 1, second.pk: 1},
        {first.pk: 2, second.pk: 1},
    ]


def test_a_full_reseller_is_skipped_and_nobody_left_means_unassigned(
    manager, django_capture_on_commit_callbacks
):
    full = reseller(capacity=1)
    assert services.lead_route(lead_id=qualified(manager, 1).pk).reseller == full
    with django_capture_on_commit_callbacks(execute=True):
        lead = qualified(manager, 2)  # routed by the LeadQualified event, which the worker
        deliver_all()  # delivers; the mail the router sends goes after its own commit
    assert services.lead_route(lead_id=lead.pk) is None
    lead.refresh_from_db()
    assert lead.status == "qualified"
    event = lead.events.filter(kind="unassigned").first()
    assert "capacit" in event.note  # "capacity" or "capacité", by the active language
    assert (event.data["excluded"], event.data["candidates"]) == ({"capacity": 1}, [])
    assert mail.outbox
    assert manager.email in mail.outbox[-1].to


def test_a_reseller_listing_products_gets_only_those(manager):
    pv_only = reseller(categories=("photovoltaique",))
    anything = reseller()
    assert (
        services.lead_route(lead_id=qualified(manager, 1, category="pompe-a-chaleur").pk).reseller
        == anything
    )
    Assignment.objects.all().delete()
    assert (
        services.lead_route(lead_id=qualified(manager, 2, category="photovoltaique").pk).reseller
        == pv_only
    )


def test_a_declined_lead_goes_to_another_reseller_never_back(manager):
    first, second = reseller(), reseller()
    lead = qualified(manager)
    services.lead_route(lead_id=lead.pk)
    with pytest.raises(DomainError):
        services.assignment_decline(lead=lead, reseller=first, actor=None, reason="")
    services.assignment_decline(lead=lead, reseller=first, actor=None, reason="Zone trop éloignée")
    lead.refresh_from_db()
    assert (lead.status, lead.assigned_reseller) == ("assigned", second)
    services.assignment_decline(lead=lead, reseller=second, actor=None, reason="Complet")
    lead.refresh_from_db()
    assert (lead.status, lead.assigned_reseller) == ("qualified", None)


def test_a_manager_assigns_by_hand_with_a_reason_and_it_is_audited(manager):
    routed, chosen = reseller(), reseller(("13",))
    lead = qualified(manager)
    services.lead_route(lead_id=lead.pk)
    services.assignment_create(
        lead=lead, reseller=chosen, actor=manager, reason="Client connu de ce revendeur"
    )
    lead.refresh_from_db()
    assert lead.assigned_reseller == chosen
    assert Assignment.objects.get(lead=lead, reseller=routed).end == "reassigned"
    assert audit_trail(lead).get().actor == manager


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_batches_routed_at_once_never_overrun_a_capacity(manager):
    """Two workers route ten leads each, at the same instant, for two resellers taking five each:
    without the lock both would count zero and hand out twenty."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite serialises every writer, so there is no race to prove"
        )
    for round_ in range(5):
        Assignment.objects.all().delete()
        Lead.objects.all().delete()
        first, second = reseller(capacity=5), reseller(capacity=5)
        leads = [qualified(manager, 100 * round_ + n).pk for n in range(20)]
        Assignment.objects.all().delete()  # undo the routing done on commit: start from zero
        Lead.objects.filter(pk__in=leads).update(
            status="qualified", assigned_reseller=None, assigned_at=None
        )
        barrier = threading.Barrier(2)

        def route(ids, barrier=barrier):
            barrier.wait(timeout=10)
            services.leads_route(lead_ids=ids)
            connections.close_all()

        threads = [
            threading.Thread(target=route, args=(part,)) for part in (leads[::2], leads[1::2])
        ]
        [t.start() for t in threads]
        [t.join(timeout=60) for t in threads]
        assert Assignment.objects.filter(reseller=first).count() == 5
        assert Assignment.objects.filter(reseller=second).count() == 5
        assert Lead.objects.filter(status="assigned").count() == 10
        first.status = second.status = "ended"
        first.save()
        second.save()
