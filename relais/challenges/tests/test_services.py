from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from relais.challenges import services
from relais.challenges.models import Participant, TargetChange
from relais.challenges.selectors import challenge_audience
from relais.challenges.tests.helpers import challenge
from relais.core.audit import audit_trail
from relais.core.errors import DomainError, TransitionError
from relais.partners.choices import PartnerStatus
from relais.testing.factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_audience_is_the_active_partners_matching_every_criterion():
    lyon = PartnerFactory()
    PartnerFactory(reseller=True)
    PartnerFactory(status=PartnerStatus.PAUSED)
    c = challenge(audience_kind="introducer")
    assert list(challenge_audience(challenge=c)) == [lyon]


def test_a_list_of_partners_wins_over_the_criteria():
    listed = PartnerFactory(reseller=True)
    PartnerFactory()
    c = challenge(audience_kind="introducer")
    c.audience_partners.add(listed)
    assert list(challenge_audience(challenge=c)) == [listed]


def test_proposing_enrols_each_partner_with_a_target_inputs_and_formula():
    a, b = PartnerFactory(), PartnerFactory()
    c = challenge()
    assert services.participants_propose(challenge=c, actor=None) == 2
    rows = {p.partner_id: p for p in c.participants.all()}
    assert set(rows) == {a.pk, b.pk}
    assert all(p.target >= 1 and p.formula and "last_12m" in p.target_inputs for p in rows.values())
    assert len({p.pseudonym for p in rows.values()}) == 2


def test_proposing_again_replaces_the_earlier_proposal_but_not_once_running():
    PartnerFactory()
    c = challenge()
    services.participants_propose(challenge=c, actor=None)
    services.participants_propose(challenge=c, actor=None)
    assert c.participants.count() == 1
    c = services.challenge_move(challenge=c, to="scheduled", actor=None)
    c = services.challenge_move(challenge=c, to="running", actor=None)
    with pytest.raises(TransitionError):
        services.participants_propose(challenge=c, actor=None)


def test_the_lifecycle_refuses_illegal_moves_and_scheduling_without_participants():
    c = challenge()
    with pytest.raises(TransitionError, match="no participant"):
        services.challenge_move(challenge=c, to="scheduled", actor=None)
    with pytest.raises(TransitionError, match="cannot go from Draft to Running"):
        services.challenge_move(challenge=c, to="running", actor=None)
    assert services.challenge_move(challenge=c, to="cancelled", actor=None).status == "cancelled"
    with pytest.raises(TransitionError):
        services.challenge_move(challenge=c, to="draft", actor=None)


def test_a_manager_changes_a_target_with_a_reason_and_it_is_audited():
    manager = UserFactory()
    PartnerFactory()
    c = challenge()
    services.participants_propose(challenge=c, actor=manager)
    p = c.participants.get()
    Participant.objects.filter(pk=p.pk).update(progress=Decimal(3))
    p.refresh_from_db()
    with pytest.raises(DomainError, match="Reason"):
        services.target_change(participant=p, target="6", reason=" ", actor=manager)
    with pytest.raises(DomainError, match="above zero"):
        services.target_change(participant=p, target="0", reason="x", actor=manager)
    old = p.target
    p = services.target_change(participant=p, target="6", reason="Nouveau secteur", actor=manager)
    assert (p.target, p.share) == (Decimal("6.00"), Decimal("0.5"))
    change = TargetChange.objects.get()
    assert (change.old, change.new, change.reason, change.actor) == (
        old, Decimal("6.00"), "Nouveau secteur", manager,
    )  # fmt: skip
    entry = audit_trail(p).get()
    assert (entry.action, entry.reason, entry.changes) == (
        "target_changed", "Nouveau secteur", {"target": [str(old), "6.00"]},
    )  # fmt: skip


def test_the_period_must_end_after_it_starts():
    from django.core.exceptions import ValidationError

    today = timezone.localdate()
    c = challenge()
    c.ends_on = today - timedelta(days=5)
    with pytest.raises(ValidationError) as e:
        c.full_clean()
    assert "ends_on" in e.value.message_dict


def test_the_calendar_starts_and_ends_challenges_on_their_dates():
    PartnerFactory()
    today = timezone.localdate()
    c = challenge(starts_on=today + timedelta(days=1), ends_on=today + timedelta(days=10))
    services.participants_propose(challenge=c, actor=None)
    services.challenge_move(challenge=c, to="scheduled", actor=None)
    now = timezone.now()
    assert services.challenges_roll(now=now) == "0 challenges started, 0 ended"
    assert services.challenges_roll(now=now + timedelta(days=1)).startswith("1 challenges started")
    c.refresh_from_db()
    assert c.status == "running"
    services.challenges_roll(now=now + timedelta(days=11))
    c.refresh_from_db()
    assert c.status == "ended"
