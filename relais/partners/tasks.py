"""Background work of the partners app: tasks take ids and are safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from relais.partners.choices import PartnerStatus
from relais.partners.models import ContractTemplate, DocumentRequirement, Partner, Signature


@task()
def notify_new_version(template_id: int) -> int:
    """E-mail the partners who must sign the new version; returns how many were told.

    Safe to run twice: a partner who already signed this version is not asked again.
    """
    template = ContractTemplate.objects.get(pk=template_id)
    kinds = DocumentRequirement.objects.filter(document_kind=template.kind).values("partner_kind")
    signed_before = Signature.objects.filter(template__kind=template.kind).values("partner")
    partners = (
        Partner.objects.filter(status__in=[PartnerStatus.ACTIVE, PartnerStatus.PAUSED])
        .filter(Q(kind__in=kinds) | Q(pk__in=signed_before))
        .exclude(signatures__template=template)
        .prefetch_related("members__user")
    )
    url = settings.SITE_URL + reverse("portal:documents")
    told = 0
    for partner in partners.iterator(chunk_size=500):
        emails = [m.user.email for m in partner.members.all() if m.user.is_active]
        if not emails:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            body = render_to_string(
                "partners/email/new_version.txt",
                {"partner": partner, "template": template, "url": url},
            )
            send_mail(
                _("A document to sign again: %(title)s") % {"title": template.title},
                body,
                None,
                emails,
            )
        told += 1
    return told


@task()
def run_partner_import(import_id: int) -> None:
    """Run a queued partner import; the import's row holds its progress and report. Safe to
    run twice: a second run goes on from the last row the first one committed."""
    from relais.partners.services.imports import run

    run(import_id)
