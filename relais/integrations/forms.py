from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.core.forms import DateInput
from relais.integrations import catalogue
from relais.integrations.choices import CrmKind, DeliveryState


class EndpointForm(forms.Form):
    """The endpoint's URL, description, event types and whether it is on. The URL and types
    are checked by the service (the SSRF guard, the catalogue), which names the field."""

    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        help_text=_("https:// address of the receiver; it gets a signed POST per event."),
        widget=forms.URLInput(attrs={"placeholder": "https://crm.example.com/hooks/relais"}),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events to send"),
        choices=catalogue.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)


class DeliveryFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any")), *DeliveryState.choices]
    )
    event_type = forms.ChoiceField(
        label=_("Event"),
        required=False,
        choices=lambda: [("", _("Any")), *[(t.code, t.code) for t in catalogue.CATALOGUE]],
    )


class ReplaySinceForm(forms.Form):
    since = forms.DateField(label=_("Failed since"), widget=DateInput())


class CrmIntegrationForm(forms.Form):
    """A new CRM integration: its name, its key (the leads' CRM source, in its webhook's URL)
    and which CRM it is (the stage names it speaks)."""

    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    key = forms.SlugField(
        label=_("Key"),
        max_length=40,
        help_text=_("Lower-case letters, digits and dashes, e.g. hubspot; part of its URL."),
    )
    kind = forms.ChoiceField(label=_("CRM"), choices=CrmKind.choices)
