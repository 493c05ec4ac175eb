"""The forms of the segment pages: a saved segment (a name and its filters) and the
drill-down's own filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.engagement.filters import SegmentFilterForm, region_choices
from relais.partners.choices import PartnerStatus


class SavedSegmentForm(SegmentFilterForm):
    """A custom segment: its name first, then the filters (the service checks the name)."""

    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    field_order = ["name"]


class MembersFilterForm(forms.Form):
    """Narrowing a segment's list: a search, a status, a département or a region."""

    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("", _("All statuses")),
            (PartnerStatus.ACTIVE.value, PartnerStatus.ACTIVE.label),
            (PartnerStatus.PAUSED.value, PartnerStatus.PAUSED.label),
        ],
        required=False,
    )
    departement = forms.CharField(label=_("Département"), required=False, max_length=3)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices()  # type: ignore[attr-defined]
