from decimal import Decimal

import pytest

from relais.core.money import cents, to_decimal


def test_amounts_round_half_up_to_the_cent():
    assert cents("2.675") == Decimal("2.68")
    assert cents("0.005") == Decimal("0.01")
    assert cents("-0.005") == Decimal("-0.01")
    assert cents(Decimal("10")) == Decimal("10.00")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        to_decimal(0.1)  # type: ignore[arg-type]


def test_french_input_is_understood():  # how amounts are shown: test_formatting.py
    assert to_decimal("1 234,56 €") == Decimal("1234.56")
