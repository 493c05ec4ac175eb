from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from relais.core.models import Departement
from relais.leads.models import ProductCategory
from relais.partners.choices import PartnerKind


def period_choices() -> list[tuple[str, str]]:
    year = timezone.localdate().year
    return [("12m", str(_("Last 12 months")))] + [
        (str(y), str(y)) for y in range(year, year - 3, -1)
    ]


class QuickSelect(forms.Select):
    """A select drawn in one pass: Django's widget renders a template per option, which for
    the 101 départements cost more than the dashboard's queries."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((v, " selected" if str(v) == chosen else "", label) for v, label in self.choices),
        )
        element = (attrs or {}).get("id") or f"id_{name}"
        return format_html('<select name="{}" id="{}">{}</select>', name, element, options)


class DashboardFilterForm(forms.Form):
    """The dashboard's and the map's filters, all in the URL (a view can be shared)."""

    period = forms.ChoiceField(
        label=_("Period"), choices=period_choices, required=False, widget=QuickSelect
    )
    region = forms.ChoiceField(label=_("Région"), required=False, widget=QuickSelect)
    departement = forms.ChoiceField(label=_("Département"), required=False, widget=QuickSelect)
    partner_kind = forms.ChoiceField(
        label=_("Brought by"),
        choices=[("", _("Any partner")), *PartnerKind.choices],
        required=False,
        widget=QuickSelect,
    )
    product = forms.ChoiceField(label=_("Product"), required=False, widget=QuickSelect)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        places = list(Departement.objects.order_by("code").values_list("code", "name", "region"))
        regions = sorted({region for _c, _n, region in places if region})
        self._choices("region", [("", _("All régions")), *((r, r) for r in regions)])
        self._choices(
            "departement",
            [
                ("", _("All départements")),
                *((code, f"{code} {name}") for code, name, _r in places),
            ],
        )
        products = ProductCategory.objects.order_by("name").values_list("pk", "name")
        self._choices(
            "product", [("", _("All products")), *((str(pk), name) for pk, name in products)]
        )

    def _choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def filters(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v} if self.is_valid() else {}
