from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from relais.challenges import targets
from relais.challenges.targets import Inputs, Rules
from relais.challenges.tests.helpers import challenge
from relais.engagement.models import PartnerMonth
from relais.partners.models import Partner
from relais.testing.factories import PartnerFactory

RULES = Rules(uplift=Decimal("0.10"), cap_multiple=Decimal(2), floor=Decimal(1))


def _inputs(ly, l12, territory="0", newcomer=False):
    return Inputs(Decimal(ly), Decimal(l12), Decimal(territory), newcomer, "introducer")


def test_an_established_target_weighs_history_and_territory_then_adds_the_uplift():
    # (0.4 × 10 + 0.4 × 20 + 0.2 × 5) × 1.1 = 14.3 → 15 (a count: the next whole one)
    p = targets.propose_one(_inputs("10", "20", "5"), None, RULES, money=False)
    assert p.target == 15
    assert p.formula.endswith("→ 15")
    assert p.inputs["last_year"] == "10.00"
    assert p.inputs["uplift_percent"] == "10.00"


def test_the_target_never_exceeds_the_multiple_of_the_best_period():
    # territory huge: (0.4 × 1 + 0.4 × 2 + 0.2 × 100) × 1.1 = 23.32, capped at 2 × 2 = 4
    p = targets.propose_one(_inputs("1", "2", "100"), None, RULES, money=False)
    assert p.target == 4
    assert "capped at 2 × best 2.00 = 4.00" in p.formula


def test_the_target_never_falls_below_the_floor():
    p = targets.propose_one(_inputs("0", "0", "0"), None, RULES, money=False)
    assert p.target == 1
    assert "floor 1" in p.formula


def test_a_newcomer_gets_the_cohort_median_with_the_uplift():
    p = targets.propose_one(_inputs("0", "0", "3", newcomer=True), Decimal(8), RULES, money=False)
    assert p.target == Decimal("8.8").to_integral_value(rounding="ROUND_CEILING")  # 9
    assert p.formula.startswith("cohort median 8.00")


def test_a_revenue_target_is_rounded_to_the_cent():
    p = targets.propose_one(_inputs("1000", "3000.555"), None, RULES, money=True)
    # (400 + 1200.222) × 1.1 = 1760.2442 → 1760.24
    assert p.target == Decimal("1760.24")


@pytest.mark.django_db
def test_history_is_read_from_the_partner_months_scaled_to_the_challenge(
    django_assert_max_num_queries,
):
    today = timezone.localdate()
    old = timezone.now() - timedelta(days=800)
    veteran, other, newcomer = PartnerFactory(), PartnerFactory(), PartnerFactory()
    Partner.objects.filter(pk__in=[veteran.pk, other.pk]).update(created_at=old)
    c = challenge(starts_on=today.replace(day=1), ends_on=today.replace(day=1) + timedelta(days=29))
    spans = targets.windows(c)
    # Twelve months of 3 won deals each: 36 in 365-ish days; 30 days of it is about 3.
    month = spans["last_12m"][0]
    for _ in range(12):
        PartnerMonth.objects.create(partner=veteran, month=month, won=3, submitted=5)
        month = targets._add_months(month, 1)
    partners = list(Partner.objects.order_by("pk"))
    with django_assert_max_num_queries(2):  # history and territory, whatever the number
        inputs = targets.gather(c, partners)
    assert Decimal("2.9") < inputs[veteran.pk].last_12m < Decimal("3.1")
    assert inputs[veteran.pk].last_year > 0  # the same month last year is among them
    assert inputs[newcomer.pk].newcomer
    assert not inputs[veteran.pk].newcomer
    proposals = targets.propose(c, partners)
    # The newcomer's cohort median is the median of the two established participants' bases.
    assert proposals[newcomer.pk].inputs["cohort_median"] is not None
    assert proposals[veteran.pk].target > proposals[other.pk].target == 1
