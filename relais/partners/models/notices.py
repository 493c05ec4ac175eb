"""Telling partners that a document they must sign has a new version, once each, whatever
happens to the worker doing it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.resumable import Resumable
from relais.partners.choices import VersionNotificationState
from relais.partners.models.contracts import ContractTemplate
from relais.partners.models.partner import Partner


class VersionNotification(Resumable):
    """The e-mailing of one new version (``core.resumable``): written with the version, so a
    task lost with its worker (or with Redis) is queued again by the ``partners.notices``
    sweep. Its key is the version's, so the task takes the version's id either way."""

    template = models.OneToOneField(
        ContractTemplate, on_delete=models.CASCADE, primary_key=True, related_name="notification"
    )
    state = models.CharField(
        max_length=10,
        choices=VersionNotificationState.choices,
        default=VersionNotificationState.QUEUED,
    )
    told = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)

    class Meta:
        verbose_name = _("new version e-mailing")
        verbose_name_plural = _("new version e-mailings")

    def __str__(self) -> str:
        return f"{self.template}: {self.state}"


class VersionNotice(models.Model):
    """A partner told of a new version. Written in the transaction that sends the e-mail (it
    commits only once the mail server took the message); the unique pair makes a second run,
    or a concurrent one, skip the partner."""

    template = models.ForeignKey(ContractTemplate, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    told_at = models.DateTimeField()

    class Meta:
        verbose_name = _("new version notice")
        verbose_name_plural = _("new version notices")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "partner"], name="version_notice_once_per_partner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.partner_id}"
