"""Recurring compliance checklists and dispute cases."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from relais.core.audit import audit_trail
from relais.core.errors import DomainError, TransitionError
from relais.partners import services
from relais.partners.models import ComplianceAudit
from relais.partners.services.compliance import DEFAULT_CHECKLIST
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_an_audit_without_checks_gets_the_standard_checklist(manager):
    audit = services.audit_schedule(
        partner=PartnerFactory(),
        title="Audit 2026",
        due_date=date(2026, 12, 1),
        checks=[],
        recurrence_months=None,
        actor=manager,
    )
    assert [i.label for i in audit.items.all()] == list(DEFAULT_CHECKLIST)


def test_a_failed_check_needs_a_corrective_action_with_a_date(manager):
    audit = services.audit_schedule(
        partner=PartnerFactory(),
        title="A",
        due_date=date(2026, 12, 1),
        checks=["Contrat", "Attestation"],
        recurrence_months=None,
        actor=manager,
    )
    first, second = audit.items.all()
    results = {
        first.pk: {"compliant": True},
        second.pk: {"compliant": False, "finding": "Expirée", "corrective_action": ""},
    }
    with pytest.raises(DomainError) as excinfo:
        services.audit_complete(audit=audit, results=results, summary="", actor=manager)
    assert "Attestation" in excinfo.value.fields[f"corrective_action_{second.pk}"]
    audit.refresh_from_db()
    assert audit.completed_at is None


def test_completing_a_recurring_audit_schedules_the_next(manager):
    partner = PartnerFactory()
    audit = services.audit_schedule(
        partner=partner,
        title="Audit annuel",
        due_date=date(2026, 12, 1),
        checks=["Contrat", "Attestation"],
        recurrence_months=12,
        actor=manager,
    )
    first, second = audit.items.all()
    results = {
        first.pk: {"compliant": True},
        second.pk: {
            "compliant": False,
            "finding": "Expirée",
            "corrective_action": "Demander la nouvelle",
            "action_due": date(2026, 12, 15),
        },
    }
    following = services.audit_complete(
        audit=audit, results=results, summary="Une attestation à renouveler", actor=manager
    )
    assert following.due_date == date(2027, 12, 1)
    assert [i.label for i in following.items.all()] == ["Contrat", "Attestation"]
    assert ComplianceAudit.objects.filter(partner=partner, completed_at__isnull=False).count() == 1
    assert audit_trail(partner).filter(action="audit_completed").get().changes == {
        "failed_checks": [None, 1]
    }
    with pytest.raises(TransitionError):
        services.audit_complete(audit=audit, results=results, summary="", actor=manager)


def test_a_dispute_is_resolved_with_its_resolution(manager):
    partner = PartnerFactory()
    dispute = services.dispute_open(
        partner=partner,
        subject="Commission contestée",
        parties="Apporteur / Service commercial",
        amount_at_stake=Decimal("1250.5"),
        deadline=date(2027, 1, 15),
        actor=manager,
    )
    assert dispute.amount_at_stake == Decimal("1250.50")
    with pytest.raises(DomainError):
        services.dispute_move(dispute=dispute, to="resolved", resolution="", actor=manager)
    services.dispute_move(dispute=dispute, to="negotiating", resolution="", actor=manager)
    dispute = services.dispute_move(
        dispute=dispute, to="resolved", resolution="Commission versée à 50 %", actor=manager
    )
    assert dispute.closed_at is not None
    with pytest.raises(TransitionError):
        services.dispute_move(dispute=dispute, to="open", resolution="", actor=manager)


def test_compliance_pages(client, manager):
    partner = PartnerFactory()
    client.force_login(manager)
    response = client.post(
        f"/partners/{partner.pk}/compliance/",
        {
            "action": "audit",
            "title": "Audit",
            "due_date": "2026-12-01",
            "recurrence_months": "",
            "checks": "Contrat\nRGPD",
        },
    )
    assert response.status_code == 302
    audit = partner.audits.get()
    items = list(audit.items.all())
    data = {f"compliant_{i.pk}": "yes" for i in items}
    data.update(
        {f"finding_{i.pk}": "" for i in items} | {f"corrective_action_{i.pk}": "" for i in items}
    )
    assert client.post(f"/partners/{partner.pk}/audits/{audit.pk}/", data).status_code == 302
    response = client.post(
        f"/partners/{partner.pk}/compliance/",
        {"action": "dispute", "subject": "", "amount_at_stake": "-5"},
    )
    assert response.status_code == 422
    assert not partner.disputes.exists()
    other = PartnerFactory()
    assert client.get(f"/partners/{other.pk}/audits/{audit.pk}/").status_code == 404
