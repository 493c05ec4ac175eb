"""The introductions' forms: they collect; the services validate and name the bad field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.network.choices import IntroductionStatus

S = IntroductionStatus


class IntroductionRequestForm(forms.Form):
    why = forms.CharField(
        label=_("Why this person"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you know of them, why they matter to your deal."),
    )
    purpose = forms.CharField(
        label=_("What for"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you would like to propose: the owner decides with this."),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you decline"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Your colleague reads it."),
    )


class OutcomeForm(forms.Form):
    """What came of it; for an opportunity, what the lead needs beyond the contact's details."""

    outcome = forms.ChoiceField(
        label=_("What came of it"),
        choices=[
            (S.MEETING_HELD, S.MEETING_HELD.label),
            (S.OPPORTUNITY, _("Opportunity opened: create the lead")),
            (S.NO_OUTCOME, S.NO_OUTCOME.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note for your colleague"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    need = forms.CharField(label=_("Need (for the lead)"), max_length=500, required=False)
    postcode = forms.CharField(label=_("Postcode (for the lead)"), max_length=10, required=False)
    phone = forms.CharField(
        label=_("Phone (if the contact has none)"), max_length=20, required=False
    )
    email = forms.CharField(
        label=_("E-mail (if the contact has none)"), max_length=254, required=False
    )
    estimated_value = forms.DecimalField(
        label=_("Estimated value excl. VAT (€)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )

    def lead_data(self) -> dict[str, object]:
        keys = ("need", "postcode", "phone", "email", "estimated_value")
        return {k: self.cleaned_data.get(k) for k in keys}
