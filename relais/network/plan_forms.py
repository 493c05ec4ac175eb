"""The account plan's forms: they collect; ``plans`` validates and names the bad field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.accounts.choices import STAFF_ROLES
from relais.accounts.models import User
from relais.core.forms import DateInput
from relais.network.choices import Attitude, BuyingRole
from relais.network.models import Account, Contact


def _staff() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by(
            "last_name", "first_name"
        ),
        required=False,
        label=_("Owner"),
    )


class PlanForm(forms.Form):
    strategy = forms.CharField(
        label=_("Strategy"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    objectives = forms.CharField(
        label=_("Objectives"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = _staff()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["owner"].label = _("Account lead")


class CentreForm(forms.Form):
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), label=_("Person"))
    role = forms.ChoiceField(label=_("Role in the purchase"), choices=BuyingRole.choices)
    attitude = forms.ChoiceField(label=_("Attitude"), choices=Attitude.choices)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)

    def __init__(self, *args: object, account: Account, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["contact"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = account.contacts.filter(anonymised_at__isnull=True).order_by(
            "last_name", "first_name"
        )


class StepForm(forms.Form):
    text = forms.CharField(label=_("Next step"), max_length=300)
    owner = _staff()
    due_on = forms.DateField(label=_("Due"), required=False, widget=DateInput())
