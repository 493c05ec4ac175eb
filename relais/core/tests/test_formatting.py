"""One formatter for money, rates and quantities, and one date order, in French and in English.

French as CLDR writes it: a narrow no-break space between thousands (U+202F), a comma before the
decimals, a no-break space before the euro sign and a narrow one before the percent sign.
"""

import importlib
import inspect
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

import relais
from relais.core.formatting import (
    export_decimal,
    format_money,
    format_number,
    format_percent,
    format_quantity,
    format_ratio,
    format_ratio_range,
)

NN = "\u202f"  # narrow no-break space
NB = "\u00a0"  # no-break space


def render(source: str, language: str, **context: object) -> str:
    with translation.override(language):
        return Template("{% load formatting %}" + source).render(Context(context))


def test_money_shows_its_cents_grouped_by_thousands():
    assert format_money(Decimal("1802.5"), "fr") == f"1{NN}802,50{NB}€"
    assert format_money(Decimal("23000"), "fr") == f"23{NN}000,00{NB}€"
    assert format_money("-1234567.891", "fr") == f"-1{NN}234{NN}567,89{NB}€"
    assert format_money(Decimal("1802.5"), "en") == "€1,802.50"
    assert format_money(Decimal("-12.5"), "en") == "-€12.50"
    assert format_money(Decimal("-0.001"), "fr") == f"0,00{NB}€"  # no "-0,00 €"


def test_a_round_figure_can_drop_its_cents_but_an_amount_with_cents_keeps_them():
    assert format_money(Decimal("73.0000"), "fr", whole=True) == f"73{NB}€"
    assert format_money(Decimal("12.0200"), "fr", whole=True) == f"12,02{NB}€"
    assert format_money(Decimal("5000"), "en", whole=True) == "€5,000"


def test_a_rate_shows_only_the_decimals_it_has():
    assert format_percent(Decimal("20.0000"), language="fr") == f"20{NN}%"
    assert format_percent(Decimal("34.0000"), language="fr") == f"34{NN}%"
    assert format_percent(Decimal("12.5"), language="fr") == f"12,5{NN}%"
    assert format_percent(Decimal("12.5"), language="en") == "12.5%"
    assert format_percent(Decimal("18.6000"), language="en") == "18.6%"


def test_a_ratio_is_a_percentage_rounded_half_up():
    assert format_ratio(0.925, language="fr") == f"93{NN}%"
    assert format_ratio(0.9, language="en") == "90%"
    assert format_ratio(1, language="fr") == f"100{NN}%"
    assert format_ratio(0.3333, 1, "fr") == f"33,3{NN}%"
    assert format_ratio_range(0.5, 0.6, language="fr") == f"50–60{NN}%"
    assert format_ratio_range(0.5, 0.6, language="en") == "50–60%"


def test_numbers_are_grouped_and_lose_trailing_zeros():
    assert format_number(Decimal("23000.00"), language="fr") == f"23{NN}000"
    assert format_number(Decimal("1823.0300"), language="fr") == f"1{NN}823,03"
    assert format_number(Decimal("1823.0300"), language="en") == "1,823.03"
    assert format_number(12.0, language="fr") == "12"
    assert format_number(Decimal("12.25"), 1, "fr") == "12,3"
    assert format_number(1234, language="en") == "1,234"


def test_a_legal_parameter_is_shown_with_its_unit_and_without_the_columns_four_decimals():
    assert format_quantity(Decimal("73.0000"), "EUR", "fr") == f"73{NB}€"
    assert format_quantity(Decimal("1823.0300"), "EUR", "fr") == f"1{NN}823,03{NB}€"
    assert format_quantity(Decimal("34.0000"), "%", "fr") == f"34{NN}%"
    assert format_quantity(Decimal("18.6000"), "%", "en") == "18.6%"
    assert format_quantity(Decimal("3.0000"), "years", "en") == f"3{NB}years"
    assert format_quantity(Decimal("73.0000"), "EUR", "en") == "€73"


def test_an_export_writes_amounts_to_the_cent_never_a_floats_digits():
    assert str(export_decimal(Decimal("2400.01000000000"))) == "2400.01"  # SQLite's SUM
    assert str(export_decimal(Decimal("2400"))) == "2400.00"
    assert str(export_decimal(Decimal("0.0550"))) == "0.055"
    assert str(export_decimal(Decimal("1E+3"))) == "1000.00"


@pytest.mark.parametrize(
    ("source", "french", "english"),
    [
        ("{{ v|eur }}", f"1{NN}802,50{NB}€", "€1,802.50"),
        ("{{ v|percent }}", f"1{NN}802,5{NN}%", "1,802.5%"),
        ("{{ v|number }}", f"1{NN}802,5", "1,802.5"),
        ("{{ v|number:2 }}", f"1{NN}802,50", "1,802.50"),
        ('{{ v|quantity:"EUR" }}', f"1{NN}802,50{NB}€", "€1,802.50"),
        ("{{ r|ratio }}", f"34{NN}%", "34%"),
        ("{{ r|ratio:1 }}", f"34,2{NN}%", "34.2%"),
        ("{{ none|eur }}{{ none|percent }}{{ none|ratio }}{{ none|number }}", "", ""),
    ],
)
def test_the_template_filters_follow_the_active_language(source, french, english):
    values = {"v": Decimal("1802.5000"), "r": 0.3421, "none": None}
    assert render(source, "fr", **values) == french
    assert render(source, "en", **values) == english


def test_the_former_library_name_loads_the_same_filters():
    with translation.override("fr"):
        rendered = Template("{% load money %}{{ v|eur }} {{ v|percent }}").render(
            Context({"v": Decimal("20")})
        )
    assert rendered == f"20,00{NB}€ 20{NN}%"


def test_dates_are_day_first_in_both_languages():
    day = date(2026, 12, 2)
    source = '{{ d|date:"SHORT_DATE_FORMAT" }} · {{ d }}'
    assert render(source, "fr", d=day) == "02/12/2026 · 2 décembre 2026"
    assert render(source, "en", d=day) == "02/12/2026 · 2 Dec 2026"


def test_an_english_date_typed_day_first_is_read_day_first():
    field = forms.DateField()
    with translation.override("en"):
        assert field.clean("02/12/2026") == date(2026, 12, 2)
        assert field.clean("2026-12-02") == date(2026, 12, 2)


def _project_forms() -> list[type[forms.Form]]:
    """Every form class of the project's ``forms`` modules."""
    root = Path(relais.__file__).parent
    found = []
    for path in sorted(root.glob("*/forms.py")):
        module = importlib.import_module(f"relais.{path.parent.name}.forms")
        found += [
            c
            for _name, c in inspect.getmembers(module, inspect.isclass)
            if issubclass(c, forms.BaseForm) and c.__module__ == module.__name__
        ]
    return found


def test_every_date_field_of_the_project_renders_an_iso_value_a_date_input_can_show():
    checked = 0
    for form in _project_forms():
        for name, field in getattr(form, "base_fields", {}).items():
            if not isinstance(field, forms.DateField):
                continue
            checked += 1
            for language in ("fr", "en"):
                with translation.override(language):
                    html = field.widget.render(name, date(2026, 12, 2))
                assert 'type="date"' in html, (form, name)
                assert 'value="2026-12-02"' in html, (form, name, language, html)
    assert checked >= 5
