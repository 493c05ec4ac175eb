"""Forms of the manager's template and campaign pages. They parse what a manager types; the
services (``template_services``, ``campaigns``) decide what is allowed and name the field."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.engagement.choices import Audience, RecipientState, Segment
from relais.engagement.models import Campaign, MessageTemplate, SavedSegment
from relais.partners.models import Partner


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ("name", "topic", "subject_fr", "body_fr", "subject_en", "body_en")
        widgets = {
            "body_fr": forms.Textarea(attrs={"rows": 12, "spellcheck": "true", "lang": "fr"}),
            "body_en": forms.Textarea(attrs={"rows": 12, "spellcheck": "true", "lang": "en"}),
            "subject_fr": forms.TextInput(attrs={"lang": "fr"}),
            "subject_en": forms.TextInput(attrs={"lang": "en"}),
        }
        help_texts = {
            "topic": _("A partner may refuse each topic on their preference page."),
            "subject_en": _(
                "Optional: without it, partners who read English get the French version."
            ),
        }

    def _post_clean(self) -> None:
        """The service checks the template (merge fields, a unique name), naming the field."""


class PartnersField(forms.Field):
    """Partners picked by hand, one a line: a referral code, a SIREN or an e-mail address (a
    network has too many partners for a list to tick). Every line that matches nobody is named."""

    widget = forms.Textarea(attrs={"rows": 5, "placeholder": "code0001\nmarie@example.fr"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)) and all(isinstance(p, Partner) for p in value):
            return "\n".join(p.referral_code or p.email for p in value)
        return value

    def to_python(self, value: Any) -> list[Partner]:
        wanted = [line.strip() for line in str(value or "").splitlines() if line.strip()]
        if not wanted:
            return []
        lowered = [w.lower() for w in wanted]
        found = list(
            Partner.objects.filter(
                Q(referral_code__in=wanted) | Q(siren__in=wanted) | Q(email__in=lowered)
            )
        )
        keys: dict[str, Partner] = {}
        for partner in found:
            for key in (partner.referral_code, partner.siren, partner.email.lower()):
                if key:
                    keys.setdefault(key, partner)
        unknown = [w for w in wanted if w not in keys and w.lower() not in keys]
        if unknown:
            raise forms.ValidationError(
                _("No partner has this referral code, SIREN or e-mail: %(lines)s."),
                params={"lines": ", ".join(unknown[:10])},
            )
        picked: dict[int, Partner] = {}  # in the order typed, each partner once
        for line in wanted:
            partner = keys.get(line) or keys[line.lower()]
            picked.setdefault(partner.pk, partner)
        return list(picked.values())


def default_holdout_percent() -> Decimal:
    return Decimal(str(settings.RELAIS_CAMPAIGN_HOLDOUT)) * 100


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker; its value is ISO whatever the language."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    template = forms.ModelChoiceField(
        label=_("E-mail template"), queryset=MessageTemplate.objects.all()
    )
    audience = forms.ChoiceField(
        label=_("Sent to"),
        choices=Audience.choices,
        widget=forms.RadioSelect,
        initial=Audience.SEGMENT,
    )
    segment = forms.ChoiceField(
        label=_("Segment"), choices=[("", "—"), *Segment.choices], required=False
    )
    saved_segment = forms.ModelChoiceField(
        label=_("Saved filter"), queryset=SavedSegment.objects.all(), required=False
    )
    picked = PartnersField(
        label=_("Partners picked by hand"),
        required=False,
        help_text=_("One a line: referral code, SIREN or e-mail address."),
    )
    holdout_share = forms.DecimalField(
        label=_("Share held out (%)"),
        min_value=Decimal(0),
        max_value=Decimal(50),
        decimal_places=1,
        localize=True,
        help_text=_(
            "Drawn at random, they receive nothing: the report compares their leads with the "
            "recipients' to measure the campaign's effect."
        ),
    )
    rate_per_minute = forms.IntegerField(
        label=_("E-mails a minute at most"), min_value=1, max_value=100_000
    )

    def __init__(self, *args: Any, campaign: Campaign | None = None, **kwargs: Any) -> None:
        if campaign is not None and campaign.pk:
            kwargs.setdefault("initial", {}).update(
                {
                    "name": campaign.name,
                    "template": campaign.template_id,
                    "audience": campaign.audience,
                    "segment": campaign.segment,
                    "saved_segment": campaign.saved_segment_id,
                    "picked": list(campaign.picked.all()),
                    "holdout_share": campaign.holdout_share * 100,
                    "rate_per_minute": campaign.rate_per_minute,
                }
            )
        else:
            kwargs.setdefault("initial", {}).update(
                {
                    "holdout_share": default_holdout_percent(),
                    "rate_per_minute": settings.RELAIS_CAMPAIGN_RATE_PER_MINUTE,
                }
            )
        super().__init__(*args, **kwargs)
        saved = self.fields["saved_segment"]
        assert isinstance(saved, forms.ModelChoiceField)
        saved.empty_label = "—"

    def campaign_data(self) -> dict[str, Any]:
        """The campaign's fields as ``campaign_save`` reads them (the share as a fraction)."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "template": data["template"],
            "audience": data["audience"],
            "segment": data["segment"] or "",
            "saved_segment": data["saved_segment"],
            "holdout_share": (data["holdout_share"] / 100).quantize(Decimal("0.001")),
            "rate_per_minute": data["rate_per_minute"],
        }

    def picked_ids(self) -> list[int]:
        return [p.pk for p in self.cleaned_data["picked"]]


class ScheduleForm(forms.Form):
    at = forms.DateTimeField(label=_("Send at"), widget=DateTimeInput())

    def clean_at(self) -> datetime:
        at: datetime = self.cleaned_data["at"]
        if at <= timezone.now():
            raise forms.ValidationError(_("Choose a date and time to come."))
        return at


class RecipientFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("Every state")), *RecipientState.choices],
        required=False,
    )
