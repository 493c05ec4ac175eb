"""E-mailing the partners who must sign a new version of a document: each one once, even when
the worker doing it is killed half-way.

Publishing a version writes its ``VersionNotification`` (a ``core.resumable`` job) in the same
transaction, then enqueues the task. Each partner is told in a transaction of its own that
writes its ``VersionNotice`` mark and the job's sign of life, then hands the e-mail to the mail
server, and commits: a worker killed before the server took the message leaves no mark, one
killed after it leaves the mark. A run taken up again (the ``partners.notices`` sweep re-queues
a job whose worker went silent) e-mails only the partners without a mark, and the mark's unique
pair settles two runs at once. What no mark can cover: a worker killed between the mail server's
"accepted" and the commit, a window of one commit, would tell that partner a second time.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relais.core import resumable
from relais.core.http import absolute_url
from relais.partners.choices import PartnerStatus, VersionNotificationState
from relais.partners.models import (
    ContractTemplate,
    DocumentRequirement,
    Partner,
    Signature,
    VersionNotice,
    VersionNotification,
)

log = logging.getLogger(__name__)


def notification_queue(*, template: ContractTemplate) -> None:
    """Inside the publication's transaction: the version is owed its e-mails (the job's row
    commits with the version), and the task runs once both are committed."""
    from relais.partners.tasks import notify_new_version

    VersionNotification.objects.create(template=template, heartbeat_at=timezone.now())
    transaction.on_commit(lambda: notify_new_version.enqueue(template.pk))


def _to_tell(template: ContractTemplate) -> QuerySet[Partner]:
    """Live partners who must sign this version and have not been told of it yet."""
    kinds = DocumentRequirement.objects.filter(document_kind=template.kind).values("partner_kind")
    signed_before = Signature.objects.filter(template__kind=template.kind).values("partner")
    told = VersionNotice.objects.filter(template=template, partner=OuterRef("pk"))
    return (
        Partner.objects.filter(status__in=[PartnerStatus.ACTIVE, PartnerStatus.PAUSED])
        .filter(Q(kind__in=kinds) | Q(pk__in=signed_before))
        .exclude(signatures__template=template)
        .exclude(Exists(told))
        .prefetch_related("members__user")
        .order_by("pk")
    )


def notification_run(*, template_id: int) -> int:
    """The task's body; returns how many partners this run told. A version published before
    its job row existed gets one; a job finished, or alive in another worker, is left alone."""
    if not ContractTemplate.objects.filter(pk=template_id).exists():
        return 0  # the version was deleted before its task ran
    VersionNotification.objects.get_or_create(
        template_id=template_id, defaults={"heartbeat_at": timezone.now()}
    )
    hold = resumable.claim(VersionNotification, template_id)
    if hold is None:
        return 0
    template = ContractTemplate.objects.get(pk=template_id)
    try:
        told = _tell_each(template, hold)
    except resumable.Superseded:
        return 0  # a later run took over: it tells the others
    except Exception as exc:  # the partners told so far keep their mark; a retry goes on
        failure = str(exc)[:2000]
        resumable.finish(
            VersionNotification, hold, state=VersionNotificationState.FAILED, failure=failure
        )
        raise
    resumable.finish(VersionNotification, hold, state=VersionNotificationState.DONE)
    return told


def _tell_each(template: ContractTemplate, hold: resumable.Claim) -> int:
    url = absolute_url(reverse("portal:documents"))
    told = 0
    for partner in _to_tell(template).iterator(chunk_size=500):
        emails = [m.user.email for m in partner.members.all() if m.user.is_active]
        if emails and _tell(template, partner, emails, url, hold):
            told += 1
    return told


def _tell(
    template: ContractTemplate, partner: Partner, emails: list[str], url: str, hold: resumable.Claim
) -> bool:
    """One partner, one transaction: the mark and the sign of life first (a second run waits
    on the mark, then skips it), the e-mail last, so only the commit follows the send."""
    try:
        with transaction.atomic():
            VersionNotice.objects.create(template=template, partner=partner, told_at=timezone.now())
            resumable.checkpoint(VersionNotification, hold, told=1)
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("A document to sign again: %(title)s") % {"title": template.title}
                context = {"partner": partner, "template": template, "url": url}
                body = render_to_string("partners/email/new_version.txt", context)
            send_mail(subject, body, None, emails)
    except IntegrityError:
        log.info("Partner %s was told of %s by another run.", partner.pk, template)
        return False
    return True


def requeue_stalled(now: datetime) -> str:
    """The ``partners.notices`` recurring job: queue again each e-mailing whose worker went
    silent (or, queued, whose task was lost with Redis)."""
    from relais.partners.tasks import notify_new_version

    return resumable.requeue_stalled(VersionNotification, notify_new_version.enqueue)
