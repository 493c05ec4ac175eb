"""Contract templates, versioned, and the signatures partners give in the portal."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.partners.choices import DocumentKind, PartnerKind
from relais.partners.models.partner import Partner


class ContractTemplate(models.Model):
    """One version of a document. A new version is a new row; signatures keep the one signed."""

    kind = models.CharField(_("document"), max_length=32, choices=DocumentKind.choices)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("text"), help_text=_("Merge fields: {{ partner_name }}, {{ partner_address }}, …")
    )
    valid_months = models.PositiveSmallIntegerField(
        _("valid for (months)"), null=True, blank=True, help_text=_("Empty: does not expire.")
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-version"]
        verbose_name = _("contract template")
        verbose_name_plural = _("contract templates")
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="template_kind_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class DocumentRequirement(models.Model):
    """Which documents a kind of partner must sign before it can be activated."""

    partner_kind = models.CharField(_("partner kind"), max_length=16, choices=PartnerKind.choices)
    document_kind = models.CharField(_("document"), max_length=32, choices=DocumentKind.choices)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        constraints = [
            models.UniqueConstraint(
                fields=["partner_kind", "document_kind"], name="requirement_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_partner_kind_display()} → {self.get_document_kind_display()}"


class Signature(models.Model):
    """A partner's click-to-sign: the exact text signed, its SHA-256, when, from where."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="signatures")
    template = models.ForeignKey(
        ContractTemplate, on_delete=models.PROTECT, related_name="signatures"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=400, blank=True)
    text = models.TextField(_("text signed"))
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        ordering = ["-signed_at"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        indexes = [models.Index(fields=["partner", "template", "-signed_at"])]

    def __str__(self) -> str:
        return f"{self.partner} – {self.template}"

    def is_valid_on(self, moment: datetime) -> bool:
        return self.expires_at is None or self.expires_at > moment


class Reminder(models.Model):
    """A reminder already sent: the unique key makes a scheduled run safe to repeat."""

    key = models.CharField(max_length=120, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
