"""A partner edits its own details; a new IBAN waits for a confirmation by e-mail."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.core import identifiers
from relais.core.audit import audit_record, mask
from relais.core.errors import DomainError
from relais.partners.models import Partner, PendingBankChange
from relais.partners.services.records import partner_update

CONTACT_FIELDS = ("phone", "address_line", "postcode", "city", "einvoice_address")
BANK_CHANGE_HOURS = 24


def _sha256(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def profile_update(
    *, partner: Partner, data: dict[str, Any], actor: User, build_confirm_url: Callable[[str], str]
) -> PendingBankChange | None:
    """Save the contact details at once; return the pending bank change if the IBAN changed."""
    contact = {f: data[f] for f in CONTACT_FIELDS if f in data}
    iban, bic = (data.get("iban") or "").strip(), (data.get("bic") or "").strip()
    errors = {}
    try:
        iban = identifiers.validate_iban(iban) if iban else ""
    except ValidationError as exc:
        errors["iban"] = exc.messages[0]
    try:
        bic = identifiers.validate_bic(bic) if bic else ""
    except ValidationError as exc:
        errors["bic"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        partner_update(partner=partner, data=contact, actor=actor)
        if iban and (iban, bic) != (partner.iban, partner.bic):
            return _request_bank_change(partner, iban, bic, actor, build_confirm_url)
    return None


def _request_bank_change(
    partner: Partner, iban: str, bic: str, actor: User, build_confirm_url: Callable[[str], str]
) -> PendingBankChange:
    raw = secrets.token_urlsafe(32)
    change = PendingBankChange.objects.create(
        partner=partner,
        iban=iban,
        bic=bic,
        token_hash=_sha256(raw),
        requested_by=actor,
        expires_at=timezone.now() + timedelta(hours=BANK_CHANGE_HOURS),
    )
    audit_record(
        subject=partner,
        action="iban_requested",
        actor=actor,
        target="IBAN",
        changes={"iban": [mask("iban", partner.iban), mask("iban", iban)]},
    )
    # To the address on file (not one typed now): whoever changes the IBAN must read it.
    recipients = sorted({partner.email, actor.email})
    url = build_confirm_url(raw)
    context = {"partner": partner, "url": url, "hours": BANK_CHANGE_HOURS, "last4": iban[-4:]}
    body = render_to_string("partners/email/bank_change.txt", context)
    subject = _("Confirm your new bank details")
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))
    return change


def bank_change_confirm(*, partner: Partner, raw: str, actor: User | None) -> PendingBankChange:
    with transaction.atomic():
        change = (
            PendingBankChange.objects.select_for_update()
            .filter(partner=partner, token_hash=_sha256(raw))
            .first()
        )
        if change is None:
            raise DomainError(_("This confirmation link is not valid."), code="link_invalid")
        if change.confirmed_at:
            raise DomainError(_("These bank details were already confirmed."), code="link_used")
        if change.expires_at <= timezone.now():
            raise DomainError(
                _("This confirmation link has expired: change the IBAN again."), code="link_expired"
            )
        change.confirmed_at = timezone.now()
        change.save(update_fields=["confirmed_at"])
        partner_update(partner=partner, data={"iban": change.iban, "bic": change.bic}, actor=actor)
    return change
