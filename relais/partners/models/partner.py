"""Partners: the introducers and resellers who bring or work the company's business."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relais.accounts.choices import Role
from relais.core.models import Departement, TimeStampedModel
from relais.partners.choices import LegalForm, PartnerKind, PartnerStatus, TaxRegime

EINVOICE_ADDRESS = re.compile(r"[A-Za-z0-9._-]+")


class Partner(TimeStampedModel):
    """An introducer or a reseller, a person or a business. Identifiers are stored compact."""

    kind = models.CharField(_("kind"), max_length=16, choices=PartnerKind.choices)
    legal_form = models.CharField(_("legal form"), max_length=16, choices=LegalForm.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=PartnerStatus.choices, default=PartnerStatus.CANDIDATE
    )
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("E.164"))
    address_line = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5)
    city = models.CharField(_("city"), max_length=100, blank=True)
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        related_name="partners",
        verbose_name=_("département"),
    )
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=13, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    # Where the partner receives e-invoices: its address in the French e-invoicing directory
    # (scheme 0225: the SIREN, or the SIREN with a suffix). Written as the seller's electronic
    # address (BT-34) on its self-billed invoices; empty, its SIREN is used.
    einvoice_address = models.CharField(
        _("e-invoicing address"),
        max_length=125,  # BR-FR-25
        blank=True,
        help_text=_(
            "Your address in the e-invoicing directory: your SIREN, or your SIREN followed by "
            "_ and a suffix. Left empty, your SIREN is used."
        ),
    )
    tax_regime = models.CharField(
        _("declared tax regime"), max_length=16, choices=TaxRegime.choices
    )
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    group = models.CharField(
        _("tier or group"),
        max_length=40,
        blank=True,
        help_text=_("Commission rules can target a tier or group (e.g. gold, installers)."),
    )
    referral_code = models.SlugField(_("referral code"), max_length=16, unique=True)
    served_departements = models.ManyToManyField(
        Departement,
        blank=True,
        related_name="serving_partners",
        verbose_name=_("départements served"),
    )

    class Meta:
        ordering = ["company_name", "last_name", "first_name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        indexes = [
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["departement", "kind"]),
            models.Index(fields=["siren"]),
            models.Index(fields=["email"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=PartnerKind.RESELLER, legal_form=LegalForm.INDIVIDUAL),
                name="partner_reseller_is_a_business",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        person = f"{self.first_name} {self.last_name}".strip()
        return self.company_name or person or self.email

    @property
    def user_role(self) -> Role:
        """The role of the users who act for this partner."""
        return Role.RESELLER if self.kind == PartnerKind.RESELLER else Role.INTRODUCER

    @property
    def is_professional(self) -> bool:
        return self.legal_form != LegalForm.INDIVIDUAL

    def clean(self) -> None:
        """Rules across fields; single-field rules live in the identifier validators."""
        errors: dict[str, str] = {}
        if self.kind == PartnerKind.RESELLER and self.legal_form == LegalForm.INDIVIDUAL:
            errors["legal_form"] = str(
                _("A reseller is a business: choose micro-entrepreneur or company.")
            )
        if self.legal_form == LegalForm.INDIVIDUAL:
            if self.tax_regime != TaxRegime.NON_PROFESSIONAL:
                errors["tax_regime"] = str(
                    _("A private individual declares occasional income (BNC non professionnel).")
                )
            if not (self.first_name and self.last_name):
                errors["last_name"] = str(_("A private individual needs a first and a last name."))
        else:
            if self.tax_regime == TaxRegime.NON_PROFESSIONAL:
                errors["tax_regime"] = str(
                    _("A business declares its turnover: VAT franchise or liable to VAT.")
                )
            if not self.company_name:
                errors["company_name"] = str(_("A business needs its company or trade name."))
        if self.siret and self.siren and not self.siret.startswith(self.siren):
            errors["siret"] = str(
                _("SIRET %(siret)s does not belong to SIREN %(siren)s (its first 9 digits).")
                % {"siret": self.siret, "siren": self.siren}
            )
        if self.vat_number and self.siren and self.vat_number[4:] != self.siren:
            errors["vat_number"] = str(
                _("VAT number %(vat)s does not contain SIREN %(siren)s.")
                % {"vat": self.vat_number, "siren": self.siren}
            )
        if self.einvoice_address:
            errors.update(self._einvoice_address_errors())
        if errors:
            raise ValidationError(errors)

    def _einvoice_address_errors(self) -> dict[str, str]:
        """The French reform's rules on a directory address: BR-FR-23 (characters), and
        BR-FR-22 (a self-billed invoice's seller address starts with the seller's SIREN)."""
        address = self.einvoice_address
        if not EINVOICE_ADDRESS.fullmatch(address):
            message = _(
                "E-invoicing address %(value)s: only letters, digits and the signs - _ . "
                "are allowed."
            )
        elif self.siren and not address.startswith(self.siren):
            message = _("E-invoicing address %(value)s must start with the SIREN %(siren)s.")
        else:
            return {}
        return {"einvoice_address": str(message % {"value": address, "siren": self.siren})}


class PartnerMember(models.Model):
    """A user who acts for a partner; every user of a reseller sees that reseller's objects."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_membership"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="members")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner member")
        verbose_name_plural = _("partner members")

    def __str__(self) -> str:
        return f"{self.user} → {self.partner}"


class PendingBankChange(models.Model):
    """A new IBAN asked for in the portal, applied only once confirmed from the e-mail link."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="bank_changes")
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.partner} …{self.iban[-4:]}"
