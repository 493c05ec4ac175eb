"""A partner import: the uploaded file, the column mapping chosen, and its per-row report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.resumable import Resumable
from relais.partners.choices import ImportMode, ImportState


class PartnerImport(Resumable):
    """A partner import, run by the task worker (``core.resumable``): its progress is stored as
    it goes, and ``resume_after`` is the file row up to which partners were created (committed
    with them), so a run taken up again after its worker died creates none of them twice."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(_("file"), max_length=200)
    file = models.FileField(upload_to="imports/partners/%Y/%m/")
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    mode = models.CharField(
        max_length=16, choices=ImportMode.choices, default=ImportMode.VALID_ONLY
    )
    report = models.JSONField(default=dict)  # the rows in error and a preview of valid ones
    imported_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField(default=True)
    state = models.CharField(
        max_length=10, choices=ImportState.choices, default=ImportState.UPLOADED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    valid = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    failure = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("partner import")
        verbose_name_plural = _("partner imports")

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.processed / self.total_rows)) if self.total_rows else 0

    @property
    def resumable(self) -> bool:
        """A creation that stopped half-way: it may go on from its last committed row."""
        return not self.dry_run and (self.state == ImportState.FAILED or self.stalled)
