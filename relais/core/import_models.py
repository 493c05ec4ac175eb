"""What every import's tables share (leads, customers, the salespeople's network): a batch with
its mapping, mode, state and progress counters, and its bad rows. Abstract: each app owns its
own tables (and adds its file's folder, who uploaded it, and its own counters)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.resumable import Resumable


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportBatch(Resumable):
    """An uploaded file: its columns' mapping, a dry run or the import, and its progress."""

    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(_("file"), max_length=200)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    mode = models.CharField(max_length=16, default="valid_only")
    dry_run = models.BooleanField(default=True)
    state = models.CharField(
        max_length=10, choices=ImportState.choices, default=ImportState.UPLOADED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    valid = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=list)
    failure = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.processed / self.total_rows)) if self.total_rows else 0


class ImportRowError(models.Model):
    """One bad row of an import, with the message for each bad field (its ``batch`` key is the
    app's)."""

    row = models.PositiveIntegerField()
    fields = models.JSONField()

    class Meta:
        abstract = True
        ordering = ["row"]

    def __str__(self) -> str:
        return f"row {self.row}"
