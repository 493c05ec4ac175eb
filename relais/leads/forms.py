"""Lead forms. Identifiers are plain text here: the service normalises and names the rule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.core.forms import DateInput
from relais.leads.choices import Channel, LeadStatus, RejectionReason, ReviewReason
from relais.leads.models import ProductCategory


def _categories() -> list[tuple[str, Any]]:
    return [
        ("", _("Not specified")),
        *((c.code, c.name) for c in ProductCategory.objects.filter(active=True)),
    ]


class QuickLeadForm(forms.Form):
    """What an introducer fills in on a phone: a name, a way to reach them, a postcode."""

    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Name or company"), max_length=200)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"), max_length=10, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    category = forms.ChoiceField(label=_("Product"), required=False)
    need = forms.CharField(
        label=_("The need, in a few words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _categories()  # type: ignore[attr-defined]


class StaffLeadForm(QuickLeadForm):
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    siret = forms.CharField(label=_("SIRET"), max_length=24, required=False)
    address_line = forms.CharField(label=_("Address"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    estimated_value = forms.CharField(
        label=_("Estimated value excl. VAT (€)"), max_length=20, required=False
    )
    partner_code = forms.CharField(
        label=_("Introducer's referral code (if any)"), max_length=16, required=False
    )


class ReferralForm(QuickLeadForm):
    """The public form behind a partner's referral link, filled in by the prospect themselves."""

    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"})
    )  # honeypot
    consent_marketing = forms.BooleanField(
        label=_("I agree to receive offers by e-mail."), required=False
    )
    consent_phone = forms.BooleanField(
        label=_("I agree to be called about my project."), required=False
    )


class LeadFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *LeadStatus.choices], required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All channels")), *Channel.choices], required=False
    )
    review_reason = forms.ChoiceField(
        label=_("Held"),
        choices=[("", _("All")), *[c for c in ReviewReason.choices if c[0]]],
        required=False,
    )
    departement = forms.CharField(label=_("Département"), max_length=3, required=False)
    partner = forms.IntegerField(label=_("Partner (id)"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=DateInput()
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=DateInput()
    )


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=LeadStatus.choices)
    rejection_reason = forms.ChoiceField(
        label=_("Rejection reason"), choices=[("", "—"), *RejectionReason.choices], required=False
    )
    amount = forms.DecimalField(
        label=_("Amount won excl. VAT (€)"), required=False, decimal_places=2, max_digits=12
    )
    won_date = forms.DateField(
        label=_("Date won"), required=False, widget=DateInput()
    )
    lost_reason = forms.CharField(label=_("Reason lost"), required=False, max_length=200)
    note = forms.CharField(label=_("Note"), required=False)


class LeadImportForm(forms.Form):
    """For each lead field, the column of the file that holds it; and the mode."""

    mode = forms.ChoiceField(
        label=_("Mode"), widget=forms.RadioSelect, initial="valid_only",
        choices=[("valid_only", _("Import the valid rows, report the others")),
                 ("all_or_nothing", _("All or nothing: import only if every row is valid"))],
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        headers: list[str],
        mapping: dict[str, str],
        fields: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        columns = [("", "—"), *((h, h) for h in headers)]
        for field in fields:
            self.fields[f"map_{field}"] = forms.ChoiceField(
                label=field.replace("_", " "),
                choices=columns,
                required=False,
                initial=mapping.get(field, ""),
            )

    def mapping(self) -> dict[str, str]:
        return {
            n.removeprefix("map_"): v
            for n, v in self.cleaned_data.items()
            if n.startswith("map_") and v
        }


class DealMoneyForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("collect", _("Money received")), ("refund", _("Refund or cancellation"))]
    )
    amount = forms.DecimalField(
        label=_("Amount excl. VAT (€)"), max_digits=12, decimal_places=2, min_value=0
    )
    reason = forms.CharField(label=_("Note or reason"), max_length=200, required=False)
