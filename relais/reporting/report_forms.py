from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from relais.accounts.choices import MANAGING_ROLES
from relais.accounts.models import User
from relais.reporting.forms import DashboardFilterForm
from relais.reporting.models import ReportSubscription


class SubscriptionForm(forms.ModelForm):
    """A scheduled report: what, how often, to whom."""

    users = forms.ModelMultipleChoiceField(
        label=_("Users"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Managers of the programme: they receive it without confirming."),
    )
    outside = forms.CharField(
        label=_("Outside addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line. Each receives a link to confirm first; nothing is sent before."),
    )

    class Meta:
        model = ReportSubscription
        fields = ("name", "frequency", "filters", "subject", "message", "language", "active")
        widgets = {
            "message": forms.Textarea(attrs={"rows": 4}),
            "language": forms.Select(choices=settings.LANGUAGES),
        }
        help_texts = {
            "filters": _(
                "The dashboard's filters, as its address holds them after the “?” "
                "(e.g. period=2026&region=Bretagne); empty for the whole network."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = self.fields["users"]
        assert isinstance(users, forms.ModelMultipleChoiceField)
        users.queryset = User.objects.filter(role__in=MANAGING_ROLES, is_active=True).order_by(
            "email"
        )
        if self.instance.pk:
            rows = list(self.instance.recipients.all())
            self.initial.setdefault("users", [r.user_id for r in rows if r.user_id])
            self.initial.setdefault(
                "outside", "\n".join(r.email for r in rows if r.user_id is None)
            )

    def clean_filters(self) -> str:
        """Only the dashboard's own filters, each with a value it accepts."""
        text = (self.cleaned_data.get("filters") or "").strip().lstrip("?")
        data = QueryDict(text)
        form = DashboardFilterForm(data)
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            label = form.fields[field].label if field in form.fields else field
            raise forms.ValidationError(f"{label}: {errors[0]}")
        kept = QueryDict(mutable=True)
        for key, value in form.filters().items():
            kept[key] = value
        if data.get("measure"):
            kept["measure"] = data["measure"]
        return kept.urlencode()
