"""The L242-1-4 and gift-voucher figures, at and around each threshold, hand-computed here from
the dated parameters of 2026 (monthly SMIC 1,823.03 €; 15 %, 150 %, 10 %, 70 %; rate 20 %)."""

from datetime import date
from decimal import Decimal

import pytest

from relais.challenges.rewards import taxes
from relais.core.models import LegalParameter
from relais.core.params import legal_value

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def scale():
    # The parameters these figures were worked out from: a change of them must show here.
    on = date(2026, 1, 1)
    assert legal_value("smic_monthly", on) == D("1823.03")
    assert legal_value("challenge_exempt_share", on) == 15
    assert legal_value("challenge_flat_share", on) == 150
    assert legal_value("challenge_flat_rate", on) == 20
    assert legal_value("voucher_exempt_share", on) == 10
    assert legal_value("voucher_flat_share", on) == 70
    assert legal_value("voucher_abuse_operations", on) == 5
    return taxes.year_scale(2026)


def test_the_thresholds_are_the_smic_shares_to_the_cent(scale):
    # 1823.03 × 15 % = 273.4545; × 150 % = 2734.545 (half up: .55); × 10 % = 182.303;
    # × 70 % = 1276.121.
    assert (scale.exempt, scale.flat_ceiling) == (D("273.45"), D("2734.55"))
    assert (scale.voucher_exempt, scale.voucher_ceiling) == (D("182.30"), D("1276.12"))


@pytest.mark.parametrize(
    ("total", "exempt", "flat_base", "contribution", "excess"),
    [
        ("0", "0", "0", "0.00", "0"),
        ("273.44", "273.44", "0", "0.00", "0"),
        ("273.45", "273.45", "0", "0.00", "0"),  # at the exempt ceiling: nothing due
        ("273.46", "273.45", "0.01", "0.00", "0"),  # 0.01 × 20 % = 0.002 → 0.00
        ("273.48", "273.45", "0.03", "0.01", "0"),  # 0.006 → 0.01 (half up)
        ("1000.00", "273.45", "726.55", "145.31", "0"),  # 145.31
        ("2734.54", "273.45", "2461.09", "492.22", "0"),  # 492.218 → 492.22
        ("2734.55", "273.45", "2461.10", "492.22", "0"),  # at the ceiling: 492.22, no excess
        ("2734.56", "273.45", "2461.10", "492.22", "0.01"),  # the cent above is ordinary pay
        ("5000.00", "273.45", "2461.10", "492.22", "2265.45"),
    ],
)
def test_staff_rewards_of_a_year(scale, total, exempt, flat_base, contribution, excess):
    split = taxes.staff_split(total=D(total), scale=scale)
    assert split.exempt == D(exempt)
    assert split.flat_base == D(flat_base)
    assert split.contribution == D(contribution)
    assert split.excess == D(excess)


@pytest.mark.parametrize(
    ("value", "exempt", "flat_base", "contribution", "general"),
    [
        ("150.00", "150.00", "0", "0.00", False),
        ("182.30", "182.30", "0", "0.00", False),  # at the exempt ceiling
        ("182.31", "182.30", "0.01", "0.00", False),
        ("182.33", "182.30", "0.03", "0.01", False),
        ("500.00", "182.30", "317.70", "63.54", False),
        ("1276.12", "182.30", "1093.82", "218.76", False),  # 218.764 → 218.76
        ("1276.13", "0", "0", "0", True),  # above 70 %: counted in the yearly scale instead
    ],
)
def test_a_voucher_operation(scale, value, exempt, flat_base, contribution, general):
    split = taxes.voucher_split(value=D(value), scale=scale)
    assert (split.exempt, split.flat_base, split.contribution, split.general) == (
        D(exempt),
        D(flat_base),
        D(contribution),
        general,
    )


def test_the_warning_comes_with_the_fifth_voucher_operation(scale):
    assert [taxes.voucher_warning(operations=n, scale=scale) for n in (3, 4, 5, 6)] == [
        False,
        False,
        True,
        True,
    ]


def test_a_new_smic_moves_the_thresholds_from_its_date():
    LegalParameter.objects.create(
        key="smic_monthly",
        label="SMIC",
        value=D("1900.00"),
        unit="EUR",
        valid_from=date(2027, 1, 1),
    )
    scale = taxes.year_scale(2027)
    # 1900 × 15 % = 285.00; × 150 % = 2850.00; × 10 % = 190.00; × 70 % = 1330.00.
    assert (scale.exempt, scale.flat_ceiling, scale.voucher_exempt, scale.voucher_ceiling) == (
        D("285.00"),
        D("2850.00"),
        D("190.00"),
        D("1330.00"),
    )
    assert taxes.year_scale(2026).exempt == D("273.45")
