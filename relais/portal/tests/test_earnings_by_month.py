"""A partner's earnings by month: what was earned in the month it was earned, what was paid in
the month it was paid, so money paid in July shows in July even when it was earned last year."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from relais.commissions.models import CommissionLine
from relais.commissions.tests.conftest import payable_line
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db


def months_ago(n: int) -> date:
    today = timezone.localdate()
    total = today.year * 12 + today.month - 1 - n
    return date(total // 12, total % 12 + 1, 10)


def paid(line: CommissionLine, on: date) -> None:
    at = timezone.make_aware(datetime.combine(on, time(9)))
    CommissionLine.objects.filter(pk=line.pk).update(status="paid", paid_at=at)


def test_a_payment_shows_in_the_month_it_was_paid_although_earned_long_before(client):
    partner = PartnerFactory()
    paid(payable_line(partner, "1127.50", day=months_ago(13)), months_ago(4))
    paid(payable_line(partner, "675.00", day=months_ago(17)), months_ago(4))
    payable_line(partner, "40.00", day=months_ago(1))  # earned last month, not paid yet
    client.force_login(partner_user(partner))
    with translation.override("en"):
        response = client.get("/portal/earnings/", headers={"accept-language": "en"})
    months = {m["month"]: (m["earned"], m["paid"]) for m in response.context["months"]}
    assert months == {
        months_ago(4).replace(day=1): (Decimal(0), Decimal("1802.50")),
        months_ago(1).replace(day=1): (Decimal("40.00"), Decimal(0)),
    }
    assert "Nothing yet." not in response.content.decode()


def test_the_months_are_the_last_twelve_this_one_included():
    from relais.commissions.selectors import by_month

    partner = PartnerFactory()
    payable_line(partner, "1.00", day=months_ago(11))
    payable_line(partner, "2.00", day=months_ago(12))  # thirteen months back: out of the table
    lines = CommissionLine.objects.filter(partner=partner)
    assert [m["month"] for m in by_month(lines)] == [months_ago(11).replace(day=1)]
