from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from relais.core.money import cents, format_eur, to_decimal


def test_amounts_round_half_up_to_the_cent():
    assert cents("2.675") == Decimal("2.68")
    assert cents("0.005") == Decimal("0.01")
    assert cents("-0.005") == Decimal("-0.01")
    assert cents(Decimal("10")) == Decimal("10.00")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        to_decimal(0.1)  # type: ignore[arg-type]


def test_french_input_is_understood():
    assert to_decimal("1 234,56 €") == Decimal("1234.56")


def test_french_format_uses_spaces_and_a_comma():
    assert format_eur("1234.56", "fr") == "1\u202f234,56\u00a0€"
    assert format_eur("-1234567.891", "fr") == "-1\u202f234\u202f567,89\u00a0€"
    assert format_eur("0", "fr") == "0,00\u00a0€"


def test_english_format():
    assert format_eur("1234.5", "en") == "€1,234.50"


def test_template_filter_follows_the_active_language():
    template = Template("{% load money %}{{ amount|eur }}")
    with translation.override("fr"):
        assert template.render(Context({"amount": Decimal("99.9")})) == "99,90\u00a0€"
    with translation.override("en"):
        assert template.render(Context({"amount": Decimal("99.9")})) == "€99.90"
