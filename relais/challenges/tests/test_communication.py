"""A challenge's e-mails: teaser, launch, progress at the rhythm, the relaunch when participation
drops (once per drop, the clock moved), the winners; each once per participant and occasion."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from relais.challenges import services
from relais.challenges.communication import (
    STALE_AFTER,
    challenge_participation,
    challenges_communicate,
)
from relais.challenges.models import ChallengeMessage, Participant, Relaunch
from relais.challenges.progress import Gain, credit
from relais.challenges.tests.helpers import challenge
from relais.engagement.automations import INTERRUPTED
from relais.engagement.models import Preference
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def _reader(**fields):
    """A partner who reads the programme's e-mails in English (the tests read their words;
    a partner's e-mails follow their preference, French by default)."""
    partner = PartnerFactory(**fields)
    Preference.objects.create(partner=partner, language="en")
    return partner


def _subjects(word: str) -> list[str]:
    return [m.to[0] for m in mail.outbox if word in m.subject]


def _running(days_in: int = 10, **fields):
    today = timezone.localdate()
    c = challenge(
        starts_on=today - timedelta(days=days_in), ends_on=today + timedelta(days=20), **fields
    )
    services.participants_propose(challenge=c, actor=None)
    c = services.challenge_move(challenge=c, to="scheduled", actor=None)
    return services.challenge_move(challenge=c, to="running", actor=None)


def _progress(c, partner, at, lead_id):
    """A won deal credited at ``at`` (the path the leads' events take)."""
    from relais.leads.models import Lead

    if not Lead.objects.filter(pk=lead_id).exists():
        from relais.challenges.tests.helpers import submitted

        lead_id = submitted(partner).pk
    credit([Gain(lead_id, partner.pk, at, "won", Decimal(1))])
    return lead_id


def test_the_teaser_goes_from_its_date_until_the_start_once_to_each_participant():
    partners = [_reader() for _ in range(3)]
    today = timezone.localdate()
    c = challenge(
        name="Cap sur l'été",
        story="Un voyage vous attend.",
        teaser_on=today,
        starts_on=today + timedelta(days=7),
        ends_on=today + timedelta(days=37),
    )
    services.participants_propose(challenge=c, actor=None)
    now = timezone.now()
    assert "0 sent" in challenges_communicate(now=now)  # a draft is teased to nobody
    services.challenge_move(challenge=c, to="scheduled", actor=None)
    assert challenges_communicate(now=now - timedelta(days=1)).startswith("0 sent")  # too early
    assert challenges_communicate(now=now).startswith("3 sent")
    assert challenges_communicate(now=now).startswith("0 sent")  # run again: nobody twice
    assert sorted(_subjects("Coming soon: Cap sur l'été")) == sorted(p.email for p in partners)
    assert "Un voyage vous attend." in mail.outbox[0].body
    assert mail.outbox[0].extra_headers["X-Relais-Topic"] == "challenges"


def test_launch_then_progress_at_the_rhythm_each_once():
    partners = [_reader() for _ in range(2)]
    c = _running(days_in=0, progress_every_days=7, relaunch_below=0)
    now = timezone.now()
    challenges_communicate(now=now)
    challenges_communicate(now=now + timedelta(hours=1))
    assert sorted(_subjects("starts now")) == sorted(p.email for p in partners)
    assert _subjects("of your target") == []  # no progress e-mail on the first day
    challenges_communicate(now=now + timedelta(days=7))
    challenges_communicate(now=now + timedelta(days=8))  # the same round: nothing new
    assert len(_subjects("of your target")) == 2
    challenges_communicate(now=now + timedelta(days=14))
    assert len(_subjects("of your target")) == 4
    body = next(m.body for m in mail.outbox if "of your target" in m.subject)
    assert "Your rank: 1 of 2" in body or "Your rank: 2 of 2" in body
    occasions = set(ChallengeMessage.objects.values_list("occasion", flat=True))
    assert occasions == {"launch", "progress-1", "progress-2"}
    assert c.participants.count() == 2


def test_an_unsubscribed_partner_gets_no_challenge_email_and_is_counted_skipped():
    refusing, fine = _reader(), _reader()
    Preference.objects.filter(partner=refusing).update(challenges=False)
    _running(days_in=0)
    assert challenges_communicate(now=timezone.now()).startswith("1 sent, 1 skipped")
    assert _subjects("starts now") == [fine.email]
    assert ChallengeMessage.objects.get(participant__partner=refusing).skip_reason == (
        "unsubscribed"
    )


def test_the_relaunch_fires_once_per_drop_with_the_figure_that_triggered_it():
    partners = [_reader() for _ in range(4)]
    c = _running(days_in=10, relaunch_below=30)
    now = timezone.now()
    leads = [_progress(c, p, now - timedelta(days=1), 0) for p in partners[:2]]
    challenges_communicate(now=now)
    assert challenge_participation(challenge=c, now=now).percent == Decimal("50.00")
    assert not Relaunch.objects.exists()  # 2 of 4 progressed: above 30 %

    later = now + timedelta(days=7)  # nobody has progressed in the week before
    assert "1 relaunches" in challenges_communicate(now=later)
    drop = Relaunch.objects.get()
    assert (drop.number, drop.active, drop.total, drop.share, drop.threshold) == (
        1,
        0,
        4,
        Decimal("0.00"),
        30,
    )
    assert len(_subjects("there is still time")) == 4
    # The worker passes again and again while the figure stays low: the same drop, no e-mail.
    for hours in (1, 5, 30):
        assert "0 relaunches" in challenges_communicate(now=later + timedelta(hours=hours))
    assert Relaunch.objects.count() == 1
    assert len(_subjects("there is still time")) == 4

    # Participation comes back (3 of 4): the drop closes; it falls again: a second relaunch,
    # to the idle participants only.
    back = later + timedelta(days=2)
    for p in partners[:3]:
        _progress(c, p, back - timedelta(hours=2), 0)
    challenges_communicate(now=back)
    assert Relaunch.objects.get(number=1).recovered_at == back
    second = back + timedelta(days=7, hours=1)
    assert "1 relaunches" in challenges_communicate(now=second)
    assert Relaunch.objects.filter(number=2, recovered_at__isnull=True).exists()
    assert len(_subjects("there is still time")) == 8
    assert leads  # the first week's leads were real


def test_no_relaunch_in_the_first_week_nor_when_the_threshold_is_zero():
    _reader()
    fresh = _running(days_in=3)
    off = _running(days_in=10, relaunch_below=0)
    challenges_communicate(now=timezone.now())
    assert not Relaunch.objects.filter(challenge__in=[fresh, off]).exists()


def test_the_winners_are_announced_at_the_close_once():
    first, second, third = _reader(), _reader(), _reader()
    c = _running(days_in=5, mechanic="ranking", top_n=1, show_names=True)
    now = timezone.now()
    _progress(c, first, now - timedelta(hours=3), 0)
    _progress(c, first, now - timedelta(hours=2), 0)
    _progress(c, second, now - timedelta(hours=1), 0)
    services.challenge_move(challenge=c, to="ended", actor=None)
    mail.outbox.clear()
    challenges_communicate(now=now)
    challenges_communicate(now=now + timedelta(hours=1))
    announced = [m for m in mail.outbox if "the winners" in m.subject]
    assert sorted(m.to[0] for m in announced) == sorted(p.email for p in (first, second, third))
    mine = next(m for m in announced if m.to[0] == first.email)
    assert "Congratulations" in mine.body
    theirs = next(m for m in announced if m.to[0] == third.email)
    assert first.display_name in theirs.body
    assert "rank 3" in theirs.body


def test_a_run_taken_up_after_a_killed_worker_sends_nobody_twice():
    partners = [_reader() for _ in range(3)]
    c = _running(days_in=0)
    # What a worker killed while handing over the first launch e-mail leaves: its row
    # "sending", committed before the mail server answered.
    dead = Participant.objects.get(challenge=c, partner=partners[0])
    ChallengeMessage.objects.create(
        participant=dead, occasion="launch", state="sending", at=timezone.now()
    )
    challenges_communicate(now=timezone.now())
    assert sorted(_subjects("starts now")) == sorted(p.email for p in partners[1:])
    # Later, the row still "sending" is the dead worker's: reported failed, never resent.
    ChallengeMessage.objects.filter(participant=dead).update(
        at=timezone.now() - STALE_AFTER - timedelta(minutes=1)
    )
    assert "1 interrupted" in challenges_communicate(now=timezone.now())
    row = ChallengeMessage.objects.get(participant=dead)
    assert (row.state, row.failure) == ("failed", INTERRUPTED)
    assert len(_subjects("starts now")) == 2
