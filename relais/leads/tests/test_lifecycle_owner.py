"""Only the leads app writes a lead's status and timeline: routing's moves (a decline, an SLA
expiry or escalation, a manager's reassignment) go through the leads lifecycle, which refuses
the moves its table does not allow, whoever asks."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone, translation

from relais.core.errors import TransitionError
from relais.leads import lifecycle
from relais.leads.models import Lead
from relais.leads.services import lead_transition
from relais.routing import services
from relais.routing.models import Assignment
from relais.routing.sla import sla_sweep
from relais.routing.tests.conftest import make_qualified, make_reseller

pytestmark = pytest.mark.django_db

ROUTING = Path(services.__file__).parent


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def timeline(lead):
    return list(Lead.objects.get(pk=lead.pk).events.values_list("kind", "from_status", "to_status"))


def routed(manager, number=0):
    make_reseller()
    lead = make_qualified(manager, number)
    assignment = services.lead_route(lead_id=lead.pk)
    return Lead.objects.get(pk=lead.pk), assignment.reseller


def test_a_declined_lead_is_back_to_qualified_on_its_timeline_without_an_assignee(manager):
    lead, reseller = routed(manager)
    assert (
        services.assignment_decline(lead=lead, reseller=reseller, actor=None, reason="Trop loin")
        is None
    )
    lead.refresh_from_db()
    assert (lead.status, lead.assigned_reseller, lead.assigned_salesperson) == (
        "qualified",
        None,
        None,
    )
    declined = lead.events.get(kind="declined")
    assert (declined.from_status, declined.to_status, declined.note) == (
        "assigned",
        "qualified",
        "Trop loin",
    )


def test_an_sla_expiry_and_an_escalation_are_written_on_the_timeline(manager):
    make_reseller()
    t0 = timezone.now() - timedelta(days=100)
    lead = make_qualified(manager)
    services.lead_route(lead_id=lead.pk, now=t0)
    sla_sweep(t0 + timedelta(hours=97))  # not opened: taken back, no one else to take it
    assert ("expired", "assigned", "qualified") in timeline(lead)
    assert Lead.objects.get(pk=lead.pk).assigned_reseller is None

    second, reseller = routed(manager, 1)
    services.assignee_declare(lead=second, reseller=reseller, to="in_progress", actor=None)
    Assignment.objects.filter(lead=second).update(assigned_at=t0)
    sla_sweep(timezone.now())
    assert ("escalated", "", "") in timeline(second)
    assert Lead.objects.get(pk=second.pk).status == "in_progress"  # escalated, not moved


def test_a_manager_reassigning_takes_the_lead_back_then_assigns_it_on_its_timeline(manager):
    lead, first = routed(manager)
    chosen = make_reseller(("13",))
    services.assignment_create(lead=lead, reseller=chosen, actor=manager, reason="Client connu")
    lead.refresh_from_db()
    assert (lead.status, lead.assigned_reseller) == ("assigned", chosen)
    last_two = list(lead.events.order_by("-at", "-pk")[:2].values_list("kind", "to_status", "note"))
    assert last_two == [
        ("status", "assigned", "Client connu"),
        ("reassigned", "qualified", "Client connu"),
    ]
    assert lead.events.filter(kind="reassigned").get().actor == manager
    assert Assignment.objects.get(lead=lead, reseller=first).end == "reassigned"


def test_routing_cannot_assign_a_lead_the_lifecycle_does_not_allow(manager):
    lead, reseller = routed(manager)
    services.assignee_declare(lead=lead, reseller=reseller, to="in_progress", actor=None)
    before = timeline(lead)
    other = make_reseller(("13",))
    with pytest.raises(TransitionError) as refused:
        services.assignment_create(lead=lead, reseller=other, actor=manager, reason="Essai")
    assert "cannot go from In progress to Assigned" in refused.value.message
    lead.refresh_from_db()
    assert (lead.status, lead.assigned_reseller) == ("in_progress", reseller)
    assert timeline(lead) == before
    assert Assignment.objects.get(lead=lead).ended_at is None  # nothing half-written


def test_routing_cannot_take_back_a_lead_with_a_declared_status(manager):
    lead, reseller = routed(manager)
    services.assignee_declare(lead=lead, reseller=reseller, to="in_progress", actor=None)
    with pytest.raises(TransitionError) as refused:
        services.assignment_decline(
            lead=lead, reseller=reseller, actor=None, reason="Plus le temps"
        )
    assert refused.value.code == "illegal_transition"
    assert "This lead is In progress" in refused.value.message
    lead.refresh_from_db()
    assert (lead.status, lead.assigned_reseller) == ("in_progress", reseller)
    assert Assignment.objects.get(lead=lead).ended_at is None


def test_a_person_cannot_put_an_assigned_lead_back_to_qualified_past_routing(manager):
    """A bare status change would leave the lead in the reseller's inbox, still assigned."""
    lead, reseller = routed(manager)
    with pytest.raises(TransitionError) as refused:
        lead_transition(lead=lead, to="qualified", actor=manager)
    assert refused.value.code == "unassign_through_routing"
    assert Lead.objects.get(pk=lead.pk).assigned_reseller == reseller


def test_only_an_assigned_or_opened_lead_is_unassigned(manager):
    lead = make_qualified(manager)
    with pytest.raises(TransitionError):
        lifecycle.lead_unassign(
            lead=lead, actor=manager, kind="declined", note="", at=timezone.now()
        )
    assert timeline(lead)[-1] == ("status", "submitted", "qualified")


WRITES = {"update", "create", "bulk_create", "bulk_update", "delete", "get_or_create"}


def _writes_to_leads_tables(path: Path) -> list[str]:
    """Writes of a module to the lead and timeline tables: ``Lead.objects….update()`` and the
    like, a ``LeadEvent`` built, or handed to a bulk writer (``fastinsert.new(LeadEvent, …)``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        chain = ast.unparse(node.func)
        on_table = chain.startswith(("Lead.objects", "LeadEvent.objects"))
        written = isinstance(node.func, ast.Attribute) and node.func.attr in WRITES and on_table
        built = chain == "LeadEvent" or any(
            isinstance(a, ast.Name) and a.id == "LeadEvent" for a in node.args
        )
        if written or built:
            found.append(f"{path.name}:{node.lineno} {chain}")
    return found


def test_routing_writes_no_lead_status_nor_timeline_of_its_own():
    # router.py too: the batch routing moves statuses through ``leads_move`` and notes the
    # leads no one could take through ``leads_timeline_add``.
    modules = list(ROUTING.glob("*.py"))
    assert [hit for p in modules for hit in _writes_to_leads_tables(p)] == []
