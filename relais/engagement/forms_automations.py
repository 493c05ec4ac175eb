"""The automation editor's form: it parses what a manager types; ``automations.automation_save``
decides what is allowed and names the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.engagement.choices import Trigger
from relais.engagement.models import Automation, MessageTemplate


class AutomationForm(forms.Form):
    """Every field optional here: the service refuses what is missing, naming the field, with
    the same words as for any other caller."""

    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    trigger = forms.ChoiceField(
        label=_("When"), choices=[("", "—"), *Trigger.choices], required=False
    )
    days = forms.IntegerField(
        label=_("Days"),
        required=False,
        help_text=_("For “joined N days ago” and “dormant for N days” only."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    template = forms.ModelChoiceField(
        label=_("E-mail template"),
        queryset=MessageTemplate.objects.order_by("name"),
        required=False,
        help_text=_("The monthly digest is always sent as the “monthly digest” topic."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, data: Any = None, *, automation: Automation | None = None) -> None:
        initial = None
        if automation is not None:
            initial = {
                "name": automation.name,
                "trigger": automation.trigger,
                "days": automation.days,
                "template": automation.template_id,
                "active": automation.active,
            }
        super().__init__(data, initial=initial)

    def automation_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
