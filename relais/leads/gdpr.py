"""The prospect's rights: the art. 14 notice, objection (suppression list), erasure, retention."""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.core import signing
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from relais.core.audit import audit_record
from relais.core.params import legal_value
from relais.leads.choices import KeyKind
from relais.leads.models import Lead, ProspectKey, Suppression

SALT = "relais.leads.prospect"
PERSONAL_FIELDS = (
    "first_name",
    "last_name",
    "company_name",
    "email",
    "phone",
    "siren",
    "address_line",
    "need",
)


def prospect_token(lead: Lead) -> str:
    """A signed reference for the prospect page: it names the lead and the e-mail it was sent to."""
    return signing.dumps({"lead": lead.pk, "email": lead.email}, salt=SALT, compress=True)


def lead_from_token(token: str) -> Lead | None:
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return Lead.objects.filter(
        pk=payload.get("lead"), email=payload.get("email"), anonymised_at__isnull=True
    ).first()


def prospect_leads(lead: Lead) -> QuerySet[Lead]:
    """Every lead held about the same person (same e-mail, or same phone)."""
    match = Q(pk=lead.pk)
    if lead.email:
        match |= Q(email=lead.email)
    if lead.phone:
        match |= Q(phone=lead.phone)
    return Lead.objects.filter(match, anonymised_at__isnull=True).select_related(
        "partner", "category"
    )


def prospect_object(*, lead: Lead, reason: str = "") -> int:
    """The unconditional right to object: on the suppression list at once, for e-mail and phone."""
    rows = [Suppression(kind=KeyKind.EMAIL, value=lead.email, reason=reason)] if lead.email else []
    if lead.phone:
        rows.append(Suppression(kind=KeyKind.PHONE, value=lead.phone, reason=reason))
    Suppression.objects.bulk_create(rows, ignore_conflicts=True)
    audit_record(subject=lead, action="gdpr_objection", target=f"lead {lead.pk}", reason=reason)
    return len(rows)


def prospect_erase(*, lead: Lead) -> int:
    """Erasure on request: every lead of the person is anonymised, and they are suppressed so a
    partner cannot pass them in again."""
    prospect_object(lead=lead, reason="erasure")
    return anonymise(prospect_leads(lead), why="gdpr_erasure")


def anonymise(leads: QuerySet[Lead], *, why: str) -> int:
    """Blank the personal fields and drop the lookup keys (they hold e-mails and phones)."""
    now = timezone.now()
    done = 0
    for lead in leads.iterator(chunk_size=500):
        with transaction.atomic():
            ProspectKey.objects.filter(lead=lead).delete()
            for field in PERSONAL_FIELDS:
                setattr(lead, field, "")
            lead.anonymised_at = now
            lead.save(update_fields=[*PERSONAL_FIELDS, "anonymised_at"])
            audit_record(subject=lead, action=why, target=f"lead {lead.pk}")
        done += 1
    return done


def retention_purge(now: datetime | None = None) -> int:
    """Anonymise prospects whose last own contact is older than the dated retention period."""
    now = now or timezone.now()
    years = int(legal_value("gdpr_retention_years", now.date()))
    limit = now - relativedelta(years=years)
    expired = Lead.objects.filter(last_prospect_contact_at__lt=limit, anonymised_at__isnull=True)
    return anonymise(expired, why="gdpr_retention")
