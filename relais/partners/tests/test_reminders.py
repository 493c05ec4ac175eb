"""Renewal and yearly declaration reminders: sent when due, once, and renewal works."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from relais.core.errors import DomainError
from relais.partners import services
from relais.partners.models import ContractTemplate, Signature
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db


def sign(partner, user, kind="introducer_contract"):
    template = ContractTemplate.objects.get(kind=kind)
    return services.signature_sign(
        partner=partner, template=template, user=user, ip=None, user_agent=""
    )


def test_an_expiring_contract_is_reminded_once_and_can_be_renewed(capsys):
    partner = PartnerFactory()
    user = partner_user(partner)
    signature = sign(partner, user)
    Signature.objects.filter(pk=signature.pk).update(expires_at=timezone.now() + timedelta(days=10))
    call_command("send_reminders")
    call_command("send_reminders")
    assert len(mail.outbox) == 1  # the partner is new: no declaration is due yet
    assert mail.outbox[0].to == [user.email]
    assert "1 contract renewals" in capsys.readouterr().out
    with pytest.raises(DomainError):
        sign(partner, user)  # still valid for ten days
    Signature.objects.filter(pk=signature.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert services.missing_documents(partner)[0].kind == "introducer_contract"
    sign(partner, user)
    assert all(t.kind != "introducer_contract" for t in services.missing_documents(partner))


def test_a_partner_without_a_declaration_for_a_year_is_reminded_once():
    due = PartnerFactory()
    partner_user(due)
    type(due).objects.filter(pk=due.pk).update(created_at=timezone.now() - timedelta(days=400))
    recent = PartnerFactory()
    services.declaration_submit(
        partner=recent, user=partner_user(recent), has_conflict=False, description=""
    )
    type(recent).objects.filter(pk=recent.pk).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    counts = services_reminders()
    assert counts["declarations"] == 1
    assert services_reminders()["declarations"] == 0


def services_reminders():
    from relais.partners.services.reminders import reminders_send

    return reminders_send()


def test_a_signature_already_renewed_is_not_reminded():
    partner = PartnerFactory()
    user = partner_user(partner)
    old = sign(partner, user)
    Signature.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=2))
    sign(partner, user)  # renewed
    assert services_reminders()["renewals"] == 0
    assert mail.outbox == []
