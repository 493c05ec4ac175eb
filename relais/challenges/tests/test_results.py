"""A challenge's results: winners by mechanic, the cost hook, and the uplift against the
participants' own last year and against comparable non-participants."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from relais.challenges import results, services
from relais.challenges.models import Participant
from relais.challenges.results import challenge_results, challenge_winners
from relais.challenges.tests.helpers import challenge, submitted, won
from relais.core.outbox import deliver_all
from relais.leads.models import Lead
from relais.testing.factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _running(audience=None, **fields):
    c = challenge(**fields)
    if audience:
        c.audience_partners.set(audience)
    services.participants_propose(challenge=c, actor=None)
    c = services.challenge_move(challenge=c, to="scheduled", actor=None)
    return services.challenge_move(challenge=c, to="running", actor=None)


def _set(c, partner, progress, target):
    p = Participant.objects.get(challenge=c, partner=partner)
    p.progress, p.target = Decimal(progress), Decimal(target)
    p.share = services.share_of(progress=p.progress, target=p.target)
    p.save()
    return p


def test_winners_follow_the_mechanic():
    a, b, c_, d = (PartnerFactory() for _ in range(4))
    ranking = _running(mechanic="ranking", top_n=2)
    threshold = _running(mechanic="threshold")
    levels = _running(mechanic="levels", levels="100,120,150")
    for ch in (ranking, threshold, levels):
        _set(ch, a, 13, 10)  # 130 %
        _set(ch, b, 10, 10)  # 100 %
        _set(ch, c_, 9, 10)  # 90 %
        _set(ch, d, 0, 10)
    assert [w.participant.partner_id for w in challenge_winners(challenge=ranking)] == [a.pk, b.pk]
    assert [w.participant.partner_id for w in challenge_winners(challenge=threshold)] == [
        a.pk,
        b.pk,
    ]
    got = [(w.rank, w.participant.partner_id, w.level) for w in challenge_winners(challenge=levels)]
    assert got == [(1, a.pk, 120), (2, b.pk, 100)]


def test_a_ranking_challenge_with_no_progress_has_no_winner():
    PartnerFactory()
    assert challenge_winners(challenge=_running(mechanic="ranking", top_n=3)) == []


def test_the_cost_comes_from_the_registered_source_else_none():
    PartnerFactory()
    c = _running()
    assert challenge_results(challenge=c).cost is None
    source = lambda ch: Decimal("150.004") if ch.pk == c.pk else None  # noqa: E731
    results.cost_source_register(source=source)
    try:
        assert challenge_results(challenge=c).cost == Decimal("150.00")
    finally:
        results._cost_sources.remove(source)


def test_uplift_against_last_year_and_against_non_participants():
    manager = UserFactory()
    ins = [PartnerFactory() for _ in range(2)]
    outs = [PartnerFactory() for _ in range(2)]
    c = _running(audience=ins)
    # This period: the participants bring 4 leads (one won, 1000 €), the others 2.
    for p in ins:
        submitted(p)
    won(ins[0], manager, amount="1000")
    submitted(ins[1])
    for p in outs:
        submitted(p)
    # The same days a year before: 2 leads for the participants, 2 for the others.
    year_ago = timezone.now() - timedelta(days=365)
    for p in (*ins, *outs):
        Lead.objects.filter(pk=submitted(p).pk).update(submitted_at=year_ago)
    deliver_all()
    r = challenge_results(challenge=c)
    assert (r.participants.partners, r.participants.leads, r.participants.leads_before) == (2, 4, 2)
    assert (r.others.partners, r.others.leads, r.others.leads_before) == (2, 2, 2)
    assert r.participants.leads_change == Decimal("100.0")
    assert r.others.leads_change == Decimal("0.0")
    assert r.leads_vs_others == Decimal("100.0")
    assert r.participants.revenue == Decimal("1000.00")
    assert r.participants.revenue_change is None  # nothing won the year before
    assert r.revenue_vs_others is None


def test_the_results_page_shows_winners_and_uplift(client):
    manager = UserFactory()
    partner = PartnerFactory(last_name="Gagnant")
    c = _running(mechanic="threshold")
    _set(c, partner, 5, 5)
    client.force_login(manager)
    page = client.get(f"/challenges/{c.pk}/results/").content.decode()
    assert "Gagnant" in page
    assert "Uplift" in page
    assert "No reward recorded" in page
    detail = client.get(f"/challenges/{c.pk}/").content.decode()
    assert f"/challenges/{c.pk}/results/" in detail
    assert "Participation: 0 of 1 participants" in detail
