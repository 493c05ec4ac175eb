"""Forms of the routing pages: an assignee's status declaration and decline, a manager's
assignment."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.accounts.choices import Role
from relais.accounts.models import User
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.models import Partner


def _unaccented(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


LOST_REASONS = [
    _("Too expensive"),
    _("Project postponed"),
    _("Chose a competitor"),
    _("Could not reach them"),
    _("Financing refused"),
]


def lost_reasons() -> list[str]:
    """The reasons an assignee picks from, in the active language: translated once per page
    rather than twice per reason on each of an inbox's 25 cards."""
    return [str(reason) for reason in LOST_REASONS]


class DeclareForm(forms.Form):
    to = forms.ChoiceField(
        choices=[
            (LeadStatus.IN_PROGRESS, LeadStatus.IN_PROGRESS.label),
            (LeadStatus.WON, LeadStatus.WON.label),
            (LeadStatus.LOST, LeadStatus.LOST.label),
        ]
    )
    amount = forms.DecimalField(
        label=_("Amount excl. VAT (€)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    lost_reason = forms.CharField(label=_("Why"), required=False, max_length=200)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why do you decline it?"), max_length=200)


class AssignForm(forms.Form):
    """A manager's choice among the active resellers of the lead's département (or anywhere),
    or a salesperson with a territory."""

    reseller = forms.ModelChoiceField(
        label=_("Reseller"), queryset=Partner.objects.none(), required=False
    )
    salesperson = forms.ModelChoiceField(
        label=_("Salesperson"), queryset=User.objects.none(), required=False
    )
    reason = forms.CharField(label=_("Why"), max_length=200)

    def __init__(self, *args: Any, lead: Lead, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        resellers = Partner.objects.filter(kind=PartnerKind.RESELLER, status=PartnerStatus.ACTIVE)
        local = resellers.filter(served_departements=lead.departement_id)
        field = self.fields["reseller"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (local if local.exists() else resellers).order_by("company_name")
        people = self.fields["salesperson"]
        assert isinstance(people, forms.ModelChoiceField)
        people.queryset = User.objects.filter(
            role=Role.SALESPERSON, is_active=True, sales_territory__isnull=False
        ).order_by("last_name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("reseller")) == bool(data.get("salesperson")):
            raise forms.ValidationError(_("Choose a reseller or a salesperson (one of them)."))
        return data


class ResellerProfileForm(forms.Form):
    """What a reseller asks to take. The départements are checkboxes grouped by region (104 of
    them: a list to ctrl-click was unusable); ``relais.js`` adds a filter box over them."""

    departements = forms.MultipleChoiceField(
        label=_("Départements I serve"), widget=forms.CheckboxSelectMultiple
    )
    categories = forms.MultipleChoiceField(
        label=_("Products I sell (none ticked: all)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    monthly_capacity = forms.IntegerField(
        label=_("Leads a month at most"), min_value=1, max_value=1000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from relais.core.models import Departement
        from relais.leads.models import ProductCategory

        super().__init__(*args, **kwargs)
        regions: dict[str, list[tuple[str, str]]] = {}
        for d in Departement.objects.order_by("code"):
            regions.setdefault(d.region, []).append((d.code, str(d)))
        # Mainland regions A to Z (Île-de-France among the I's), the overseas ones after them.
        order = sorted(regions, key=lambda r: (regions[r][0][0] >= "97", _unaccented(r)))
        self.fields["departements"].choices = [(r, regions[r]) for r in order]  # type: ignore[attr-defined]
        self.fields["categories"].choices = [  # type: ignore[attr-defined]
            (str(c.pk), c.name) for c in ProductCategory.objects.filter(active=True)
        ]

    def departement_groups(self) -> list[tuple[str, list[tuple[str, str, bool]]]]:
        """``(region, [(code, label, ticked), …])`` for the picker's template."""
        ticked = {str(v) for v in self["departements"].value() or []}
        choices = self.fields["departements"].choices  # type: ignore[attr-defined]
        return [
            (region, [(code, label, code in ticked) for code, label in options])
            for region, options in choices
        ]
