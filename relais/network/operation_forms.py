"""Forms of special operations and sales teams: they collect; ``operations`` validates."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.accounts.choices import STAFF_ROLES
from relais.accounts.models import User
from relais.core.forms import DateInput
from relais.network.choices import Attendance, InvitationStatus, NominationOutcome


class OperationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = forms.DateField(label=_("First day"), widget=DateInput())
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput())
    nominations_close_on = forms.DateField(
        label=_("Nominations close"), required=False, widget=DateInput()
    )


class TrackForm(forms.Form):
    invitation = forms.ChoiceField(label=_("Invitation"), choices=InvitationStatus.choices)
    attendance = forms.ChoiceField(label=_("Attendance"), choices=Attendance.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=NominationOutcome.choices)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team"), max_length=120)
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by(
            "last_name", "first_name"
        ),
        widget=forms.CheckboxSelectMultiple,
    )
    sharing = forms.BooleanField(label=_("Sharing switched on"), required=False)
