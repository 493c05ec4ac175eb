"""The managers' forms: a challenge, and one participant's target with the reason for it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.challenges import images
from relais.challenges.choices import ResellerParticipants
from relais.challenges.models import Challenge
from relais.core.models import Departement
from relais.partners.models import Partner


class ChallengeForm(forms.ModelForm):
    audience_partners = forms.ModelMultipleChoiceField(
        queryset=Partner.objects.order_by("company_name", "last_name"),
        required=False,
        label=_("These partners only"),
        help_text=_("When some are chosen, the other criteria are ignored."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    audience_departements = forms.ModelMultipleChoiceField(
        queryset=Departement.objects.order_by("code"),
        required=False,
        label=_("Départements"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = Challenge
        fields = [
            "name",
            "theme",
            "story",
            "banner",
            "starts_on",
            "ends_on",
            "teaser_on",
            "metric",
            "mechanic",
            "top_n",
            "levels",
            "ranking",
            "reseller_participants",
            "show_names",
            "progress_every_days",
            "relaunch_below",
            "audience_kind",
            "audience_segment",
            "audience_departements",
            "audience_partners",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "teaser_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "story": forms.Textarea(attrs={"rows": 4}),
            "banner": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left empty (an API client, an older form): the model's default, not an error.
        for name in ("progress_every_days", "relaunch_below", "reseller_participants"):
            self.fields[name].required = False

    def _or_default(self, name: str) -> int:
        value = self.cleaned_data.get(name)
        field = Challenge._meta.get_field(name)
        assert isinstance(field, models.Field)  # a concrete column, never a relation
        return field.get_default() if value is None else value

    def clean_progress_every_days(self) -> int:
        return self._or_default("progress_every_days")

    def clean_relaunch_below(self) -> int:
        return self._or_default("relaunch_below")

    def clean_reseller_participants(self) -> str:
        value = self.cleaned_data.get("reseller_participants")
        return value or ResellerParticipants.TEAM

    def clean_banner(self) -> object:
        """A new upload is checked and re-encoded (``images.clean_image``); a kept one stays."""
        banner = self.cleaned_data.get("banner")
        if isinstance(banner, UploadedFile):
            content, _type = images.clean_image(banner, field=str(_("Banner image")))
            return content
        return banner


class TargetForm(forms.Form):
    target = forms.DecimalField(
        label=_("Target"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
