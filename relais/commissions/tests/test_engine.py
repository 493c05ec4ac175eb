"""The rule arithmetic, with amounts computed by hand."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from relais.commissions.engine import History, compute, period_bounds, progressive, rate_at

TIERS = [[0, 5], [10000, 7], [50000, 10]]


@dataclass
class R:
    formula: str
    amount: Decimal | None = None
    rate: Decimal | None = None
    tiers: list = field(default_factory=list)
    tier_basis: str = "amount"
    cap_per_deal: Decimal | None = None
    cap_per_year: Decimal | None = None
    pk: int = 1
    version: int = 1


def test_a_progressive_slice_straddling_two_tiers_pays_each_part_at_its_rate():
    # 8,000 already this year; a 5,000 deal: 2,000 at 5 % + 3,000 at 7 % = 100 + 210.
    assert progressive(TIERS, Decimal(8000), Decimal(5000)) == Decimal("310.00")
    line = compute(R("progressive", tiers=TIERS), Decimal(5000), History(period_base=Decimal(8000)))
    assert line.amount == Decimal("310.00")


def test_a_deal_crossing_three_tiers():
    # 10,000 × 5 % + 40,000 × 7 % + 10,000 × 10 % = 500 + 2,800 + 1,000.
    assert compute(R("progressive", tiers=TIERS), Decimal(60000), History()).amount == Decimal(
        "4300.00"
    )


def test_the_whole_tier_option_pays_the_period_again_at_the_tier_reached_less_what_was_paid():
    # 8,000 paid 400 (5 %); with 5,000 more the period is 13,000 at 7 % = 910, so 510 now.
    history = History(period_base=Decimal(8000), period_paid=Decimal(400), period_count=1)
    assert compute(R("whole_tier", tiers=TIERS), Decimal(5000), history).amount == Decimal("510.00")


def test_tiers_by_count_pay_each_deal_at_the_rate_of_its_rank():
    tiers = [[0, 5], [3, 8]]  # from the third deal of the period: 8 %
    rule = R("progressive", tiers=tiers, tier_basis="count")
    assert compute(rule, Decimal(1000), History(period_count=1)).amount == Decimal("50.00")
    assert compute(rule, Decimal(1000), History(period_count=2)).amount == Decimal("80.00")


def test_caps_per_deal_and_per_year():
    rule = R("percent", rate=Decimal(10), cap_per_deal=Decimal(2000), cap_per_year=Decimal(5000))
    assert compute(rule, Decimal(30000), History()).amount == Decimal("2000.00")
    assert compute(rule, Decimal(10000), History(year_paid=Decimal(4500))).amount == Decimal(
        "500.00"
    )
    assert compute(rule, Decimal(10000), History(year_paid=Decimal(5000))).amount == Decimal("0.00")


def test_rounding_is_once_to_the_cent_half_up():
    assert compute(
        R("percent", rate=Decimal("12.5")), Decimal("1.00"), History()
    ).amount == Decimal("0.13")
    assert compute(
        R("percent", rate=Decimal("7.5")), Decimal("1234.57"), History()
    ).amount == Decimal("92.59")


def test_rate_at_and_period_bounds():
    assert rate_at(TIERS, Decimal("9999.99")) == Decimal(5)
    assert rate_at(TIERS, Decimal(10000)) == Decimal(7)
    assert period_bounds(date(2026, 8, 14), "quarter") == (date(2026, 7, 1), date(2026, 9, 30))
    assert period_bounds(date(2026, 12, 3), "month") == (date(2026, 12, 1), date(2026, 12, 31))
    assert period_bounds(date(2026, 2, 3), "year") == (date(2026, 1, 1), date(2026, 12, 31))
