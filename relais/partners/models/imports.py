"""A partner import: the uploaded file, the column mapping chosen, and its per-row report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportMode(models.TextChoices):
    VALID_ONLY = "valid_only", _("Import the valid rows, report the others")
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing: import only if every row is valid")


class PartnerImport(models.Model):
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
    report = models.JSONField(default=dict)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("partner import")
        verbose_name_plural = _("partner imports")

    def __str__(self) -> str:
        return self.filename
