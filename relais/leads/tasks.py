"""Background work of the leads app: tasks take ids and are safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relais.core.http import absolute_url
from relais.leads.gdpr import prospect_token
from relais.leads.models import Lead, LeadEvent


@task()
def send_prospect_notices(lead_ids: list[int]) -> int:
    """The notices of a batch of new leads (tasks queued before ``leads.notices`` marked them
    for its sweep instead); each is sent once, as below. Returns how many were sent."""
    return sum(notify_prospect(lead_id) for lead_id in lead_ids)


@task()
def send_prospect_notice(lead_id: int) -> bool:
    """One lead's notice (tasks queued before ``send_prospect_notices`` existed)."""
    return notify_prospect(lead_id)


def notify_prospect(lead_id: int) -> bool:
    """GDPR art. 14: tell a referred prospect who passed on their details and what they can do.

    Sent once: the "notice_sent" event is written in the same transaction as the send.
    """
    with transaction.atomic():
        # of=self: partner and salesperson are nullable joins, which PostgreSQL will not lock.
        lead = (
            Lead.objects.select_for_update(of=("self",))
            .select_related("partner", "salesperson")
            .filter(pk=lead_id)
            .first()
        )
        if lead is None:  # erased (GDPR) or purged before its notice went out
            return False
        if not lead.email or lead.anonymised_at or lead.events.filter(kind="notice_sent").exists():
            return False
        source = (
            lead.partner.display_name
            if lead.partner
            else (
                lead.salesperson.get_full_name()
                if lead.salesperson
                else settings.RELAIS_COMPANY_NAME
            )
        )
        url = absolute_url(reverse("prospect", args=[prospect_token(lead)]))
        context = {
            "lead": lead,
            "source": source,
            "company": settings.RELAIS_COMPANY_NAME,
            "url": url,
        }
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("%(company)s received your contact details") % context
            body = render_to_string("leads/email/prospect_notice.txt", context)
        send_mail(subject, body, None, [lead.email])
        LeadEvent.objects.create(
            lead=lead, at=timezone.now(), kind="notice_sent", data={"to": "prospect"}
        )
    return True


@task()
def run_lead_import(import_id: int) -> None:
    """Run a queued import; the import row holds its progress and report."""
    from relais.leads.imports import run

    run(import_id)
