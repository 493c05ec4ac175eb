"""The network's forms. They collect and show; the services validate (one rule, one place) and
their field errors come back onto the form (``add_errors``)."""

from __future__ import annotations

from django import forms
from django.core.cache import cache
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from relais.core.errors import DomainError
from relais.core.forms import DateInput
from relais.core.models import Departement
from relais.network.choices import ContactLevel, RelationshipContext, Strength, Visibility


def add_errors(form: forms.Form, error: DomainError) -> None:
    """A service's refusal onto the form: each named field under its input, the rest on top."""
    placed = False
    for field, message in error.fields.items():
        if field in form.fields:
            form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def departement_select(*, selected: str, label_all: str) -> SafeString:
    """The search's département list, built in one pass: a ModelChoiceField renders each of its
    109 options through a template, which cost the search page a third of its time."""
    places: list[tuple[str, str]] = (
        cache.get_or_set(
            "network:departements",
            lambda: list(Departement.objects.order_by("code").values_list("code", "name")),
            3600,
        )
        or []
    )
    options = format_html_join(
        "",
        '<option value="{}"{}>{} – {}</option>',
        (
            (code, mark_safe(" selected") if code == selected else "", code, name)
            for code, name in places
        ),
    )
    return format_html(
        '<select name="departement" id="id_departement"><option value="">{}</option>{}</select>',
        label_all,
        options,
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Company or person"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    sector = forms.CharField(label=_("Sector"), required=False)
    departement = forms.ModelChoiceField(
        queryset=Departement.objects.order_by("code"),
        required=False,
        label=_("Département"),
        empty_label=_("All"),
    )


class AccountForm(forms.Form):
    name = forms.CharField(label=_("Company"), max_length=200)
    siren = forms.CharField(
        label=_("SIREN"), max_length=20, required=False, help_text=_("9 digits, if known.")
    )
    sector = forms.CharField(label=_("Sector"), max_length=120, required=False)
    departement = forms.ModelChoiceField(
        queryset=Departement.objects.order_by("code"), required=False, label=_("Département")
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    website = forms.CharField(label=_("Website"), max_length=200, required=False)

    def data_for_service(self) -> dict[str, object]:
        data = dict(self.cleaned_data)
        data["departement"] = data["departement"].code if data["departement"] else ""
        return data


class ContactForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    title = forms.CharField(label=_("Role or title"), max_length=150, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=ContactLevel.choices, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    linkedin_url = forms.CharField(label=_("LinkedIn URL"), max_length=200, required=False)


class RelationshipForm(forms.Form):
    """The strength's radio buttons carry the whole scale, so it is read where it is entered."""

    strength = forms.TypedChoiceField(
        label=_("How well do you know them?"),
        choices=Strength.choices,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "scale"}),
    )
    context = forms.ChoiceField(label=_("How you know them"), choices=RelationshipContext.choices)
    context_note = forms.CharField(
        label=_("Details"),
        max_length=200,
        required=False,
        help_text=_("The school and year, the former employer, the event…"),
    )
    last_interaction = forms.DateField(
        label=_("Last interaction"),
        required=False,
        widget=DateInput(),
        help_text=_("An old last interaction shows the strength faded; it is never changed."),
    )
    visibility = forms.ChoiceField(
        label=_("Who may see it"),
        choices=Visibility.choices,
        initial=Visibility.ON_REQUEST,
        widget=forms.RadioSelect,
        help_text=_("Private: nobody else, not even a manager."),
    )
    exclusive_until = forms.DateField(
        label=_("Exclusive until"),
        required=False,
        widget=DateInput(),
        help_text=_("Until then you handle this person yourself: no introduction is asked."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # A strength outside the list comes back from the service with the scale in its message.
        self.fields["strength"].error_messages["invalid_choice"] = _(
            "Strength %(value)s: choose 1 to 5 on the scale."
        )


class ObjectionForm(forms.Form):
    reason = forms.CharField(
        label=_("How the person objected"),
        max_length=200,
        help_text=_("E.g. e-mail of 3 December to the sales director."),
    )
