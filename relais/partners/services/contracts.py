"""Contracts: rendering a template for a partner, signing it, publishing a new version."""

from __future__ import annotations

import hashlib
import re
from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.accounts.models import User
from relais.core import events
from relais.core.audit import audit_record
from relais.core.errors import DomainError
from relais.partners.choices import LegalForm
from relais.partners.events import ContractSigned
from relais.partners.models import ContractTemplate, Partner, Signature
from relais.partners.selectors import documents_for
from relais.partners.services.notices import notification_queue

MERGE_FIELD = re.compile(r"{{\s*([a-z_]+)\s*}}")
MERGE_FIELDS = (
    "partner_name",
    "partner_address",
    "partner_legal_form",
    "partner_siren_mention",
    "company_name",
    "date",
    "invoice_contest_days",
)

# Clauses that make an introducer look like a commercial agent or an employee
# (requalification risk, french-rules.md). A sentence that negates them is fine.
SIGN_FOR_COMPANY = (
    r"(signer|conclure|engager)\s+(les\s+|des\s+)?(contrats?|commandes?|ventes?)"
    r"|au nom de la soci[ée]t[ée]"
)
RISKY_CLAUSES = {
    r"n[ée]goci": gettext_lazy("power to negotiate"),
    SIGN_FOR_COMPANY: gettext_lazy("power to sign for the company"),
    r"horaires?|heures de travail|pr[ée]sence obligatoire": gettext_lazy("working hours"),
    r"sanction|p[ée]nalit[ée]|amende": gettext_lazy("sanctions"),
}
NEGATION = re.compile(r"\b(aucun|aucune|ni|pas|jamais|sans)\b|\bn['’]|\bne\b", re.IGNORECASE)


def template_warnings(body: str) -> list[str]:
    """Requalification risks and unknown merge fields, for the template editor."""
    warnings = []
    for sentence in re.split(r"(?<=[.;:!?])\s+|\n+", body):
        if NEGATION.search(sentence):
            continue
        for pattern, risk in RISKY_CLAUSES.items():
            if re.search(pattern, sentence, re.IGNORECASE):
                warnings.append(
                    _("“%(sentence)s” seems to give the partner %(risk)s: risk of requalification.")
                    % {"sentence": sentence.strip()[:120], "risk": risk}
                )
    for name in sorted(set(MERGE_FIELD.findall(body)) - set(MERGE_FIELDS)):
        warnings.append(_("Unknown merge field {{ %(name)s }}.") % {"name": name})
    return warnings


def render(template: ContractTemplate, partner: Partner, on: date) -> str:
    """The exact text the partner reads and signs (its SHA-256 is the proof)."""
    values = {
        "partner_name": partner.display_name,
        "partner_address": " ".join(
            p for p in (partner.address_line, partner.postcode, partner.city) if p
        ),
        "partner_legal_form": LegalForm(partner.legal_form).label,
        "partner_siren_mention": f", SIREN {partner.siren}" if partner.siren else "",
        "company_name": settings.RELAIS_COMPANY_NAME,
        "date": date_format(on, "j F Y"),
        # The self-billing mandate states it, and so does each invoice issued under it.
        "invoice_contest_days": str(settings.RELAIS_INVOICE_CONTEST_DAYS),
    }
    return MERGE_FIELD.sub(lambda m: str(values.get(m.group(1), m.group(0))), template.body)


def signature_sign(
    *, partner: Partner, template: ContractTemplate, user: User, ip: str | None, user_agent: str
) -> Signature:
    """Record an explicit click-to-sign, then activate an accepted candidate once all is signed."""
    offered = {d.template.kind: d.template for d in documents_for(partner)}
    current = offered.get(template.kind)
    if current is None:
        raise DomainError(_("This document is not asked of you."), code="not_offered")
    if current.pk != template.pk:
        raise DomainError(
            _("Version %(old)s of “%(title)s” was replaced by version %(new)s: sign that one.")
            % {"old": template.version, "title": template.title, "new": current.version},
            code="stale_version",
        )
    now = timezone.now()
    text = render(template, partner, timezone.localdate(now))
    expires = now + relativedelta(months=template.valid_months) if template.valid_months else None
    with transaction.atomic():
        # The partner row lock makes two clicks at once sign only once.
        Partner.objects.select_for_update().filter(pk=partner.pk).first()
        signed = Signature.objects.filter(partner=partner, template=template)
        if any(s.is_valid_on(now) for s in signed):
            raise DomainError(_("You already signed this version."), code="already_signed")
        signature = Signature.objects.create(
            partner=partner,
            template=template,
            signed_by=user,
            signed_at=now,
            ip=ip,
            user_agent=user_agent[:400],
            text=text,
            text_sha256=hashlib.sha256(text.encode()).hexdigest(),
            expires_at=expires,
        )
        # With the signature or not at all: its trail and its event (a webhook) are not lost
        # to a crash between two commits.
        audit_record(
            subject=partner,
            action="signed",
            actor=user,
            target=str(template),
            changes={"sha256": [None, signature.text_sha256]},
        )
        events.publish(ContractSigned(partner_id=partner.pk, signature_id=signature.pk))
    _activate_if_ready(partner, user)
    return signature


def _activate_if_ready(partner: Partner, user: User) -> None:
    """An accepted candidate becomes active with its last required signature."""
    from relais.partners.services.status import partner_activate_if_ready

    partner_activate_if_ready(
        partner=partner, actor=user, reason=_("Accepted, and every required document is signed.")
    )


def template_publish(
    *, kind: str, title: str, body: str, valid_months: int | None, actor: User | None
) -> ContractTemplate:
    """Publish the next version of a document; partners who signed an older one sign again."""
    if not body.strip() or not title.strip():
        raise DomainError(_("A template needs a title and a text."), code="empty_template")
    with transaction.atomic():
        # The unique (kind, version) constraint settles two managers publishing at once.
        last = ContractTemplate.objects.filter(kind=kind).aggregate(v=Max("version"))["v"] or 0
        template = ContractTemplate.objects.create(
            kind=kind,
            version=last + 1,
            title=title.strip(),
            body=body,
            valid_months=valid_months,
            published_at=timezone.now(),
            created_by=actor,
        )
        audit_record(
            subject=template,
            action="published",
            actor=actor,
            target=str(template),
            changes={"version": [last or None, template.version]},
        )
        # Committed with the version: partners are told even if the worker dies half-way.
        notification_queue(template=template)
    return template
