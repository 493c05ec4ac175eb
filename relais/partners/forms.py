"""Partner forms. Identifiers are plain text here: the service validates and names the rule."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.core.models import Departement
from relais.partners.choices import LegalForm, PartnerKind, PartnerStatus, TaxRegime


class PartnerForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerKind.choices)
    legal_form = forms.ChoiceField(label=_("Legal form"), choices=LegalForm.choices)
    status = forms.ChoiceField(
        label=_("Status"), choices=PartnerStatus.choices, initial=PartnerStatus.CANDIDATE
    )
    company_name = forms.CharField(label=_("Company name"), max_length=200, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address_line = forms.CharField(label=_("Address"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=10)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    siren = forms.CharField(label=_("SIREN"), max_length=20, required=False)
    siret = forms.CharField(label=_("SIRET"), max_length=24, required=False)
    vat_number = forms.CharField(label=_("VAT number"), max_length=20, required=False)
    iban = forms.CharField(label=_("IBAN"), max_length=42, required=False)
    bic = forms.CharField(label=_("BIC"), max_length=14, required=False)
    tax_regime = forms.ChoiceField(label=_("Declared tax regime"), choices=TaxRegime.choices)
    sector = forms.CharField(label=_("Sector"), max_length=100, required=False)
    served_departements = forms.MultipleChoiceField(
        label=_("Départements served (resellers)"), required=False, choices=()
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["served_departements"].choices = [  # type: ignore[attr-defined]
            (d.code, str(d)) for d in Departement.objects.filter(kind="departement")
        ]


class PartnerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *PartnerKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *PartnerStatus.choices], required=False
    )
    legal_form = forms.ChoiceField(
        label=_("Legal form"),
        choices=[("", _("All legal forms")), *LegalForm.choices],
        required=False,
    )
    departement = forms.CharField(label=_("Département"), required=False, max_length=3)
