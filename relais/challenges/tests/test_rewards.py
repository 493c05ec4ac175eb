"""Rewards: who gets what by the mechanic, once; cash paid by the next payment run; the projected
cost; the French treatment per person and year; DAS2 and the VAT cap for introducers."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from relais.challenges import services
from relais.challenges.models import Award, Challenge, Participant, RewardItem
from relais.challenges.rewards import selectors
from relais.challenges.rewards import services as rewards
from relais.challenges.tests.helpers import challenge
from relais.commissions import tax
from relais.commissions.choices import LineKind, LineStatus
from relais.commissions.models import CommissionLine
from relais.commissions.services import runs
from relais.commissions.tests.conftest import signed_partner
from relais.core.errors import DomainError
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = timezone.localdate()


def item(kind="gift", incl="120.00", excl="100.00", name="Coffret dégustation"):
    return RewardItem.objects.create(
        name=name, kind=kind, value_incl_vat=D(incl), value_excl_vat=D(excl)
    )


def ended(partners, shares, **fields):
    """An ended challenge whose participants reached these shares of a target of 10 deals."""
    c = challenge(starts_on=TODAY - timedelta(days=40), ends_on=TODAY - timedelta(days=1), **fields)
    c.audience_partners.set(partners)
    services.participants_propose(challenge=c, actor=None)
    for partner, share in zip(partners, shares, strict=True):
        Participant.objects.filter(challenge=c, partner=partner).update(
            target=D(10), progress=D(10) * D(share), share=D(share)
        )
    c = services.challenge_move(challenge=c, to="scheduled", actor=None)
    c = services.challenge_move(challenge=c, to="running", actor=None)
    return services.challenge_move(challenge=c, to="ended", actor=None)


def awarded(c):
    return {
        (a.partner_id, a.label): a.value_incl_vat
        for a in Award.objects.filter(challenge=c).order_by("rank")
    }


def test_a_ranking_rewards_its_first_n_once_even_if_the_close_runs_twice():
    first, second, third = PartnerFactory(), PartnerFactory(), PartnerFactory()
    c = ended([first, second, third], ["0.5", "1.4", "0.9"], mechanic="ranking", top_n=2)
    rewards.reward_add(challenge=c, kind="cash", amount="150", place=1, actor=None)
    rewards.reward_add(challenge=c, kind="gift", item=item(), actor=None)
    assert rewards.rewards_award(challenge=c, actor=None) == 3
    assert rewards.rewards_award(challenge=c, actor=None) == 0
    assert rewards.rewards_award_due(now=timezone.now()) == "0 challenge rewards awarded"
    assert awarded(c) == {
        (second.pk, "Cash bonus"): D("150.00"),
        (second.pk, "Coffret dégustation"): D("120.00"),
        (third.pk, "Coffret dégustation"): D("120.00"),
    }
    line = CommissionLine.objects.get()
    assert (line.partner, line.amount, line.kind, line.status) == (
        second,
        D("150.00"),
        LineKind.BONUS,
        LineStatus.PAYABLE,
    )


def test_levels_give_each_participant_the_reward_of_the_highest_level_reached():
    people = [PartnerFactory() for _ in range(4)]
    c = ended(people, ["0.95", "1.10", "1.25", "1.60"], mechanic="levels", levels="100,120,150")
    for level, amount in ((100, "50"), (120, "80"), (150, "200")):
        rewards.reward_add(challenge=c, kind="voucher", amount=amount, level=level, actor=None)
    rewards.rewards_award(challenge=c, actor=None)
    assert awarded(c) == {
        (people[3].pk, "Gift voucher"): D("200.00"),
        (people[2].pk, "Gift voucher"): D("80.00"),
        (people[1].pk, "Gift voucher"): D("50.00"),
    }


def test_a_threshold_rewards_everyone_at_their_target():
    people = [PartnerFactory() for _ in range(3)]
    c = ended(people, ["0.99", "1.00", "2.00"])
    rewards.reward_add(challenge=c, kind="experience", item=item("experience"), actor=None)
    rewards.rewards_award(challenge=c, actor=None)
    assert set(awarded(c)) == {
        (people[1].pk, "Coffret dégustation"),
        (people[2].pk, "Coffret dégustation"),
    }


def test_a_reward_names_the_field_it_lacks():
    c = challenge(mechanic="levels", levels="100,120")
    with pytest.raises(DomainError) as error:
        rewards.reward_add(challenge=c, kind="cash", level=100, actor=None)
    assert error.value.fields == {"amount": "required"}
    with pytest.raises(DomainError) as error:
        rewards.reward_add(challenge=c, kind="cash", amount="10", level=130, actor=None)
    assert error.value.fields == {"level": "choice"}
    with pytest.raises(DomainError) as error:
        rewards.reward_add(
            challenge=c, kind="gift", item=item("voucher", "50", "50"), level=100, actor=None
        )
    assert error.value.fields == {"item": "kind"}


def test_rewards_are_awarded_only_once_the_challenge_has_ended():
    c = challenge()
    rewards.reward_add(challenge=c, kind="cash", amount="10", actor=None)
    with pytest.raises(DomainError) as error:
        rewards.rewards_award(challenge=c, actor=None)
    assert error.value.code == "not_ended"


def test_a_cash_reward_is_paid_by_the_next_payment_run():
    winner = signed_partner(mandate=False)
    c = ended([winner], ["1.2"])
    rewards.reward_add(challenge=c, kind="cash", amount="99.995", actor=None)
    rewards.rewards_award(challenge=c, actor=None)
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=None)
    assert run.items.get().amount == D("100.00")  # 99.995 rounded once, half up


def test_the_projected_cost_follows_the_progress_to_the_last_day():
    people = [PartnerFactory() for _ in range(3)]
    c = challenge(starts_on=TODAY - timedelta(days=9), ends_on=TODAY + timedelta(days=20))
    c.audience_partners.set(people)
    services.participants_propose(challenge=c, actor=None)
    for partner, share in zip(people, ["0.20", "0.34", "0.50"], strict=True):
        Participant.objects.filter(challenge=c, partner=partner).update(
            target=10, progress=D(10) * D(share), share=D(share)
        )
    c = services.challenge_move(challenge=c, to="scheduled", actor=None)
    c = services.challenge_move(challenge=c, to="running", actor=None)
    rewards.reward_add(challenge=c, kind="cash", amount="100", actor=None)
    rewards.budget_set(challenge=c, amount="150", actor=None)
    # 10 days of 30 gone: each share × 3 at the end, 0.60, 1.02, 1.50: two reach the target.
    projection = selectors.rewards_projection(challenge=Challenge.objects.get(pk=c.pk))
    assert projection.factor == 3
    assert [p.winners for p in projection.rows] == [2]
    assert (projection.cost, projection.budget, projection.over_budget) == (
        D("200.00"),
        D("150.00"),
        True,
    )


def test_a_resellers_staff_member_is_treated_per_person_and_year():
    reseller = PartnerFactory(reseller=True)
    spring = ended([reseller], ["1.5"])
    rewards.reward_add(challenge=spring, kind="cash", amount="200", actor=None)
    rewards.rewards_award(challenge=spring, actor=None, on=date(2026, 4, 1))
    autumn = ended([reseller], ["1.5"])
    rewards.reward_add(challenge=autumn, kind="gift", item=item(incl="300", excl="250"), actor=None)
    rewards.rewards_award(challenge=autumn, actor=None, on=date(2026, 10, 1))
    for award in Award.objects.all():
        rewards.award_person_set(award=award, person="Julie Martin", actor=None)
    [julie] = selectors.rewards_year(year=2026)
    # 500.00 in the year: 273.45 exempt, 226.55 at 20 % = 45.31 due, nothing above 2,734.55.
    assert (
        julie.person,
        julie.total,
        julie.staff.exempt,
        julie.contribution_due,
        julie.excess,
    ) == (
        "Julie Martin",
        D("500.00"),
        D("273.45"),
        D("45.31"),
        D("0"),
    )
    # Per challenge, what each adds to her year: the spring's 200 € stay in the exempt slice.
    [spring_row] = selectors.rewards_of_challenge(challenge=spring)
    [autumn_row] = selectors.rewards_of_challenge(challenge=autumn)
    assert (spring_row.operation.contribution, autumn_row.operation.contribution) == (
        D("0.00"),
        D("45.31"),
    )


def test_the_fifth_voucher_operation_of_a_year_warns():
    reseller = PartnerFactory(reseller=True)
    for month in range(1, 6):
        c = ended([reseller], ["1.1"])
        rewards.reward_add(challenge=c, kind="voucher", amount="200", actor=None)
        rewards.rewards_award(challenge=c, actor=None, on=date(2026, month, 15))
    [person] = selectors.rewards_year(year=2026)
    # Each operation: 200 − 182.30 = 17.70 at 20 % = 3.54; five: 17.70 €; none in the yearly scale.
    assert (person.voucher_operations, person.voucher_contribution, person.voucher_warning) == (
        5,
        D("17.70"),
        True,
    )
    assert person.staff.total == 0
    assert person.name_missing  # a reseller's award names nobody yet


def test_an_introducers_rewards_in_kind_are_in_das2_and_count_towards_the_vat_cap():
    introducer = PartnerFactory(address_line="1 rue des Lilas", postcode="69003", city="Lyon")
    c = ended([introducer], ["1.3"])
    rewards.reward_add(challenge=c, kind="gift", item=item(incl="2500", excl="2083.33"), actor=None)
    rewards.reward_add(challenge=c, kind="cash", amount="80", actor=None)
    rewards.rewards_award(challenge=c, actor=None)
    [row] = tax.das2(TODAY.year)
    assert (row.partner, row.benefits_in_kind, row.commissions) == (introducer, D("2500.00"), 0)
    assert tax.gift_vat_flag(introducer, TODAY.year)
    [summary] = selectors.rewards_year(year=TODAY.year)
    assert (summary.in_kind, summary.cash, summary.contribution_due) == (D("2500"), D("80"), 0)
    assert summary.vat_not_recoverable


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_closes_at_once_reward_each_winner_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, so there is no race")
    people = [PartnerFactory() for _ in range(3)]
    c = ended(people, ["1.2", "1.1", "0.5"])
    rewards.reward_add(challenge=c, kind="cash", amount="40", actor=None)
    barrier, made = threading.Barrier(2), []

    def close():
        barrier.wait(timeout=10)
        try:
            made.append(rewards.rewards_award(challenge=c, actor=None))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close) for _ in range(2)]
    [t.start() for t in threads]
    [t.join(timeout=60) for t in threads]
    assert sorted(made) == [0, 2]
    assert Award.objects.count() == 2
    assert CommissionLine.objects.count() == 2


def test_a_cash_rewards_line_names_its_challenge_in_the_lines_list(client):
    from relais.testing.factories import UserFactory

    winner = PartnerFactory()
    c = ended([winner], ["1.2"], name="Défi des cimes")
    rewards.reward_add(challenge=c, kind="cash", amount="75", actor=None)
    rewards.rewards_award(challenge=c, actor=None)
    client.force_login(UserFactory())
    page = client.get("/commissions/lines/?status=payable").content.decode()
    assert "Défi des cimes" in page
