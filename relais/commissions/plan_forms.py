"""Forms of the plan editor: a plan's name, a rule, the date of a new version. They parse what
a manager types; the services (``services.plans``) decide what is allowed and name the field."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.commissions.models import Plan, Rule
from relais.core.forms import DateInput
from relais.leads.models import ProductCategory
from relais.partners.choices import PartnerKind
from relais.partners.models import Partner


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ("name", "description")
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class VersionForm(forms.Form):
    starts_on = forms.DateField(
        label=_("New version from"),
        widget=DateInput(),
        help_text=_(
            "A draft copy of the rules in force that day, to change and simulate; activating "
            "it ends the current rules the day before."
        ),
    )


TIER = re.compile(r"^\s*([\d\s\u202f.,]+?)\s*[:;→=>-]+\s*([\d.,]+)\s*%?\s*$")


def _decimal(text: str) -> Decimal:
    return Decimal(re.sub(r"[\s\u202f]", "", text).replace(",", "."))


class TiersField(forms.Field):
    """Tiers typed one a line, ``from: rate %`` (``0: 5``, ``10 000: 7,5``), stored as
    ``[[from, rate], ...]``. The order and the first tier are the service's to check."""

    widget = forms.Textarea(attrs={"rows": 4, "placeholder": "0: 5\n10000: 7\n50000: 10"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(f"{frm}: {rate}" for frm, rate in value)
        return value

    def to_python(self, value: Any) -> list[list[str]]:
        text = str(value or "")
        tiers = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            found = TIER.match(line)
            try:
                if found is None:
                    raise InvalidOperation
                tiers.append([str(_decimal(found[1])), str(_decimal(found[2]))])
            except InvalidOperation:
                raise forms.ValidationError(
                    _("Line %(n)s: write “from: rate”, for instance “10000: 7”.") % {"n": number}
                ) from None
        return tiers


class PartnerField(forms.Field):
    """One partner, by its referral code or SIREN: a network has too many for a list."""

    def to_python(self, value: Any) -> Partner | None:
        text = str(value or "").strip()
        if not text:
            return None
        found = Partner.objects.filter(referral_code=text).first() or (
            Partner.objects.filter(siren=text).first() if text.isdigit() else None
        )
        if found is None:
            raise forms.ValidationError(_("No partner has this referral code or SIREN."))
        return found

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            value = Partner.objects.filter(pk=value).first()
        return value.referral_code if isinstance(value, Partner) else value


class RuleForm(forms.ModelForm):
    tiers = TiersField(
        label=_("Tiers"),
        required=False,
        help_text=_("One a line: from (amount or number of deals), then the rate in %."),
    )
    partner = PartnerField(
        label=_("One partner"),
        required=False,
        help_text=_("Its referral code or SIREN; empty: every partner of the scope."),
    )

    class Meta:
        model = Rule
        fields = (
            "name",
            "code",
            "trigger",
            "beneficiary",
            "formula",
            "amount",
            "rate",
            "tiers",
            "tier_basis",
            "period",
            "target",
            "partner_kind",
            "group",
            "category",
            "partner",
            "cap_per_deal",
            "cap_per_year",
            "valid_from",
            "valid_until",
        )
        widgets = {"valid_from": DateInput(), "valid_until": DateInput()}
        # "7,5" in French: amounts and rates are read in the user's language.
        localized_fields = ("amount", "rate", "target", "cap_per_deal", "cap_per_year")
        help_texts = {
            "code": _("Optional: made from the name. The same code across versions."),
            "amount": _("Fixed amount or bonus, in €."),
            "target": _("A bonus: the amount or number of deals to reach in the period."),
            "group": _("Empty: every tier or group."),
        }

    def __init__(self, *args: Any, version_of: Plan | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        category, kind = self.fields["category"], self.fields["partner_kind"]
        assert isinstance(category, forms.ModelChoiceField)
        assert isinstance(kind, forms.ChoiceField)
        category.queryset = ProductCategory.objects.filter(active=True)
        category.empty_label = _("Every product")
        kind.choices = [("", _("Every kind")), *PartnerKind.choices]
        if version_of is not None:
            # A new version's rules start on its date; a copied rule keeps its code.
            self.fields["valid_from"].disabled = True
            if self.instance.pk:
                self.fields["code"].disabled = True

    def _post_clean(self) -> None:
        """The service checks the rule (``rule_check``), naming the field: not the model."""

    def rule_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.fields["valid_from"].disabled:
            data.pop("valid_from", None)
        if self.fields["code"].disabled:
            data.pop("code", None)
        return data
