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


def held_for_review(lead: Lead) -> bool:
    """A lead that matched someone else's (a duplicate, a conflict) or waits for a manager: its
    contact details were typed by its submitter and may belong to another person's file."""
    return bool(lead.review_reason) or lead.duplicate_of_id is not None


def prospect_leads(lead: Lead) -> QuerySet[Lead]:
    """The leads the prospect page shows and acts on: those submitted with the e-mail address its
    notice went to (the token names it, and only its owner reads that mailbox). A phone or a name
    proves nothing: anyone can type another person's. A lead held for review reaches itself only,
    so a notice sent for it never reveals or erases the file it was matched with."""
    match = Q(pk=lead.pk)
    if lead.email and not held_for_review(lead):
        match |= Q(email=lead.email)
    return Lead.objects.filter(match, anonymised_at__isnull=True).select_related(
        "partner", "category"
    )


def prospect_object(*, lead: Lead, reason: str = "") -> int:
    """The unconditional right to object: on the suppression list at once, for the e-mail the
    notice went to, and for the phone unless the lead is held for review (the phone may be
    another person's, whom this would silence)."""
    rows = [Suppression(kind=KeyKind.EMAIL, value=lead.email, reason=reason)] if lead.email else []
    if lead.phone and not held_for_review(lead):
        rows.append(Suppression(kind=KeyKind.PHONE, value=lead.phone, reason=reason))
    Suppression.objects.bulk_create(rows, ignore_conflicts=True)
    audit_record(subject=lead, action="gdpr_objection", target=f"lead {lead.pk}", reason=reason)
    return len(rows)


def prospect_erase(*, lead: Lead) -> int:
    """Erasure on request: the person's leads (``prospect_leads``) are anonymised, and they are
    suppressed so a partner cannot pass them in again."""
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
