"""Leads by e-mail: a partner writes "Nom : …, Téléphone : …, Code postal : …" to the inbox."""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from relais.core.textcheck import character_errors, text_errors
from relais.leads.choices import Channel
from relais.leads.models import InboundMessage
from relais.leads.normalise import company_key
from relais.leads.services import lead_submit
from relais.partners.choices import PartnerStatus
from relais.partners.models import Partner

FIELDS = {
    "last_name": ("nom", "name", "last name", "client", "prospect"),
    "first_name": ("prenom", "first name"),
    "company_name": ("societe", "entreprise", "company"),
    "email": ("email", "e-mail", "courriel", "mail"),
    "phone": ("telephone", "tel", "phone", "portable", "mobile"),
    "postcode": ("code postal", "cp", "postcode", "zip"),
    "city": ("ville", "city"),
    "address_line": ("adresse", "address"),
    "need": ("besoin", "projet", "need", "message"),
    "siret": ("siret",),
}
LINE = re.compile(r"^\s*([^:\n]{2,30}?)\s*:\s*(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Inbound:
    message_id: str
    sender: str
    subject: str
    text: str


def parse_fields(text: str) -> dict[str, str]:
    """``Label : value`` lines, labels matched in French or English, accents and case ignored."""
    aliases = {company_key(a): field for field, names in FIELDS.items() for a in names}
    data: dict[str, str] = {}
    for label, value in LINE.findall(text):
        field = aliases.get(company_key(label))
        if field and field not in data:
            data[field] = value
    return data


def from_rfc822(raw: bytes) -> Inbound:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    message_id = str(message.get("Message-ID") or "") or hashlib.sha256(raw).hexdigest()
    return Inbound(
        message_id.strip(),
        parseaddr(str(message.get("From", "")))[1].lower(),
        str(message.get("Subject", "")),
        text,
    )


def from_provider_json(payload: dict[str, object]) -> Inbound:
    """The common shapes of inbound-mail webhooks (Postmark, Mailgun, SendGrid-like)."""

    def pick(*keys: str) -> str:
        for key in keys:
            if payload.get(key):
                return str(payload[key])
        return ""

    sender = parseaddr(pick("From", "from", "sender"))[1].lower()
    text = pick("TextBody", "text", "body-plain", "stripped-text", "plain")
    message_id = (
        pick("MessageID", "Message-Id", "message_id", "message-id")
        or hashlib.sha256(f"{sender}{text}".encode()).hexdigest()
    )
    return Inbound(message_id, sender, pick("Subject", "subject"), text)


def _sender_partner(sender: str) -> Partner | None:
    return (
        Partner.objects.filter(
            Q(email=sender) | Q(members__user__email=sender), status=PartnerStatus.ACTIVE
        )
        .distinct()
        .first()
    )


def _storable(message: Inbound) -> Inbound:
    """The message as the table can keep it (``core.textcheck``): a Message-ID holding a NUL or
    a lone surrogate becomes its digest, a subject so made is dropped, and a sender the e-mail
    column cannot hold is no one's address (refused, without a reply to send)."""
    bad = character_errors(
        InboundMessage, {"message_id": message.message_id, "subject": message.subject}
    )
    bad |= text_errors(InboundMessage, {"sender": message.sender})
    if not bad:
        return message
    raw = message.message_id.encode("utf-8", "surrogatepass")
    return replace(
        message,
        message_id=hashlib.sha256(raw).hexdigest() if "message_id" in bad else message.message_id,
        sender="" if "sender" in bad else message.sender,
        subject="" if "subject" in bad else message.subject,
    )


def handle_inbound(message: Inbound) -> str:
    """Turn a partner's e-mail into a lead, or answer why not. Returns the outcome."""
    message = _storable(message)
    try:
        with transaction.atomic():
            record = InboundMessage.objects.create(
                message_id=message.message_id[:300], sender=message.sender, outcome="pending"
            )
    except IntegrityError:
        return "already_handled"
    partner = _sender_partner(message.sender)
    if partner is None:
        _reply(message, "leads/email/inbound_refused.txt", {})
        outcome, lead = "refused", None
    else:
        try:
            lead = lead_submit(
                data=parse_fields(message.text), channel=Channel.EMAIL, partner=partner
            )
        except ValidationError as exc:
            errors = [m for messages in exc.message_dict.values() for m in messages]
            _reply(message, "leads/email/inbound_invalid.txt", {"errors": errors})
            outcome, lead = "invalid", None
        else:
            outcome = "created"
    record.outcome, record.lead = outcome, lead
    record.save(update_fields=["outcome", "lead"])
    return outcome


def _reply(message: Inbound, template: str, context: dict[str, object]) -> None:
    if not message.sender:
        return
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(template, {"company": settings.RELAIS_COMPANY_NAME, **context})
        subject = _("Re: %(subject)s") % {"subject": message.subject or _("your message")}
    transaction.on_commit(lambda: send_mail(subject, body, None, [message.sender]))
