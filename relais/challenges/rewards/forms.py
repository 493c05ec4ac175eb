"""The managers' forms for rewards: a reward of a challenge, its budget, the catalogue's items,
and the staff member a reseller's award goes to. The services validate; these parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.challenges.choices import Mechanic
from relais.challenges.models import RewardItem
from relais.challenges.rewards.choices import ITEM_KINDS, RewardKind


class RewardForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RewardKind.choices)
    item = forms.ModelChoiceField(
        label=_("Catalogue item"),
        queryset=RewardItem.objects.filter(active=True),
        required=False,
        help_text=_("For a gift, an experience, or a voucher of the catalogue."),
    )
    amount = forms.DecimalField(
        label=_("Amount (€)"),
        required=False,
        min_value=0,
        decimal_places=2,
        help_text=_("A cash bonus, or a voucher's face value."),
    )
    place = forms.IntegerField(
        label=_("Place"),
        required=False,
        min_value=1,
        help_text=_("Ranking: the place it rewards; empty for each of the first N."),
    )
    level = forms.IntegerField(
        label=_("Level (%)"),
        required=False,
        min_value=1,
        help_text=_("Levels: the level it rewards (the highest reached)."),
    )

    def __init__(self, *args: Any, mechanic: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only what the challenge's mechanic uses: a place for a ranking, a level for levels.
        if mechanic != Mechanic.RANKING:
            del self.fields["place"]
        if mechanic != Mechanic.LEVELS:
            del self.fields["level"]
        else:
            self.fields["level"].required = True


class BudgetForm(forms.Form):
    budget = forms.DecimalField(label=_("Budget (€)"), min_value=0, decimal_places=2)


class ItemForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=[(k.value, k.label) for k in ITEM_KINDS])
    value_incl_vat = forms.DecimalField(label=_("Value incl. VAT (€)"), decimal_places=2)
    value_excl_vat = forms.DecimalField(label=_("Value excl. VAT (€)"), decimal_places=2)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
