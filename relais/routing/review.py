"""The yearly review (seed 002, step 3): per département, keep, coach, pause or remove each
reseller from the year's KPIs and volume, and how many to recruit. The manager accepts
proposals in bulk; pausing and removing go through the partners' own status transitions.

Rules, in order (a reseller is judged only on 5 leads or more):
- remove: it does not work its leads (open rate under 50 % or treatment rate under 40 %);
- pause: most of its leads went back (declined or taken away for lateness), or it received
  under the yearly minimum where the département has more resellers than its leads need;
- coach: an indicator is off its norm (an amber or red light: below it, or above a range's top);
- keep: otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from relais.core.audit import acting_user, audit_record
from relais.core.calendar import year_bounds
from relais.core.deferred import Deferred, later, listing, ratio, say
from relais.core.errors import DomainError
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.models import Partner
from relais.partners.services.status import partner_transition
from relais.routing.choices import ReviewProposal
from relais.routing.coverage import Coverage, coverage
from relais.routing.kpis import RATES, Kpi, kpi_table
from relais.routing.models import ReviewDecision
from relais.routing.scorecard import scorecard_rows

P = ReviewProposal
JUDGED_FROM = 5


@dataclass
class Proposal:
    reseller: Partner
    kpi: Kpi
    proposal: str
    reason: Deferred | str
    decided: ReviewDecision | None = None
    added: list[str] = field(default_factory=list)  # the scorecard's added indicators

    @property
    def label(self) -> str:
        return str(P(self.proposal).label)

    @property
    def why(self) -> str:
        """The reason in the reader's language, however long ago it was accepted."""
        return say(self.reason)


@dataclass
class DepartementReview:
    coverage: Coverage
    proposals: list[Proposal] = field(default_factory=list)


# The indicators' names, marked for makemessages and translated when a reason is shown.
RATE_LABELS = {
    "open_rate": gettext_noop("open rate"),
    "treatment_rate": gettext_noop("treatment rate"),
    "closure_rate": gettext_noop("closure rate"),
}


def _propose(kpi: Kpi, *, crowded: bool) -> tuple[str, Deferred]:
    minimum = settings.RELAIS_ROUTING_YEARLY_MINIMUM
    judged = kpi.received >= JUDGED_FROM
    if judged and ((kpi.open_rate or 0) < 0.5 or (kpi.treatment_rate or 0) < 0.4):
        return P.REMOVE, later(
            gettext_noop("Does not work its leads: %(open)s opened, %(treated)s treated."),
            open=ratio(kpi.open_rate or 0),
            treated=ratio(kpi.treatment_rate or 0),
        )
    if judged and (kpi.declined + kpi.expired) * 2 > kpi.received:
        return P.PAUSE, later(
            gettext_noop("Gave back %(n)s of its %(total)s leads."),
            n=kpi.declined + kpi.expired,
            total=kpi.received,
        )
    if kpi.received < minimum and crowded:
        return P.PAUSE, later(
            gettext_noop(
                "%(n)s leads in the year (norm: %(min)s); the département has more resellers "
                "than its leads need."
            ),
            n=kpi.received,
            min=minimum,
        )
    weak = [name for name in RATES if judged and kpi.lights.get(name) in ("amber", "red")]
    if weak:
        what = listing(*(later(RATE_LABELS[w]) for w in weak))
        return P.COACH, later(gettext_noop("Off the norm: %(what)s."), what=what)
    if judged:
        return P.KEEP, later(gettext_noop("Meets the norms."))
    return P.KEEP, later(gettext_noop("Too few leads to judge: keep."))


def yearly_review(year: int) -> list[DepartementReview]:
    """The proposals of ``year``, grouped by the reseller's home département."""
    start, end = year_bounds(year)
    kpis = {k.assignee: k for k in kpi_table(start=start, end=end, with_medians=False)}
    # The coverage page's figures for the current year (its window ends now, not on 31/12).
    cover = {c.code: c for c in coverage(min(end, timezone.now()))}
    decided = {d.reseller_id: d for d in ReviewDecision.objects.filter(year=year)}
    resellers = Partner.objects.filter(
        kind=PartnerKind.RESELLER, status__in=(PartnerStatus.ACTIVE, PartnerStatus.PAUSED)
    ).order_by("departement_id", "company_name")
    grouped: dict[str, DepartementReview] = {}
    for reseller in resellers:
        home = cover.get(reseller.departement_id)
        if home is None:
            continue
        review = grouped.setdefault(home.code, DepartementReview(home))
        kpi = kpis.get(reseller.pk) or Kpi(assignee=reseller.pk)
        decision = decided.get(reseller.pk)
        if decision is not None:  # what was accepted stands, whatever it did to the figures
            proposal, reason = decision.proposal, decision.reason
        else:
            proposal, reason = _propose(kpi, crowded=False)
        review.proposals.append(Proposal(reseller, kpi, proposal, reason, decision))
    for review in grouped.values():
        _pause_the_surplus(review)
    _add_indicators(list(grouped.values()), start, end)
    for code, c in cover.items():  # départements to recruit in, even with no reseller at all
        if c.recruit and code not in grouped:
            grouped[code] = DepartementReview(c)
    return [grouped[code] for code in sorted(grouped)]


def _add_indicators(reviews: list[DepartementReview], start: datetime, end: datetime) -> None:
    """The indicators the apps above add to the scorecard (the NPS), in one call per column."""
    proposals = [p for review in reviews for p in review.proposals]
    lines = scorecard_rows(kpis=[p.kpi for p in proposals], start=start, end=end)
    for p, (_kpi, added) in zip(proposals, lines, strict=True):
        p.added = added


def _pause_the_surplus(review: DepartementReview) -> None:
    """In a crowded département (coverage's verdict), pause the resellers its leads cannot
    feed — the surplus over what coverage says it needs, the least served first — never all
    of them: the ones it needs stay, and the page never proposes both pausing and recruiting."""
    c = review.coverage
    if not c.crowded:
        return
    leaving = sum(
        1
        for p in review.proposals
        if p.decided is None
        and p.proposal in (P.PAUSE, P.REMOVE)
        and p.reseller.status == PartnerStatus.ACTIVE
    )
    surplus = max(c.resellers - c.needed - leaving, 0)
    open_ = [p for p in review.proposals if p.decided is None and p.proposal != P.PAUSE]
    for p in sorted(open_, key=lambda p: (p.kpi.received, p.kpi.score, p.reseller.pk)):
        if surplus <= 0:
            break
        proposal, reason = _propose(p.kpi, crowded=True)
        if proposal == P.PAUSE:
            p.proposal, p.reason = proposal, reason
            surplus -= 1


APPLY = {P.PAUSE: PartnerStatus.PAUSED, P.REMOVE: PartnerStatus.ENDED}


@dataclass(frozen=True)
class Accepted:
    """What an accept did: the proposals it applied, and those still waiting for a decision."""

    accepted: int
    undecided: int


def undecided(reviews: list[DepartementReview]) -> int:
    return sum(1 for r in reviews for p in r.proposals if p.decided is None)


def review_accept(*, year: int, reseller_ids: list[int], actor: Any) -> Accepted:
    """Accept the proposals the manager ticked for these resellers, and those only (nothing is
    accepted by default), all or nothing: a refused status move rolls the whole batch back with
    a message naming the reseller. Already decided ones are skipped."""
    reviews = yearly_review(year)
    proposals = {p.reseller.pk: p for review in reviews for p in review.proposals}
    unknown = [pk for pk in reseller_ids if pk not in proposals]
    if unknown:
        raise DomainError(_("No proposal for these resellers this year."), code="no_proposal")
    now, done = timezone.now(), 0
    with transaction.atomic():
        for pk in sorted(set(reseller_ids)):
            p = proposals[pk]
            if p.decided is not None:
                continue
            p.decided = ReviewDecision.objects.create(
                year=year,
                reseller=p.reseller,
                proposal=p.proposal,
                reason=p.reason,
                accepted_at=now,
                accepted_by=acting_user(actor),
            )
            _apply(p, actor, year)
            done += 1
    return Accepted(accepted=done, undecided=undecided(reviews))


def _apply(p: Proposal, actor: Any, year: int) -> None:
    target = APPLY.get(P(p.proposal))
    reason = _("Yearly review %(year)s: %(why)s") % {"year": year, "why": p.why}
    if target is not None and p.reseller.status != target:
        try:
            partner_transition(partner=p.reseller, to=target, actor=actor, reason=reason)
        except DomainError as exc:
            raise DomainError(f"{p.reseller}: {exc.message}", code=exc.code) from exc
    else:
        audit_record(subject=p.reseller, action=f"review_{p.proposal}", actor=actor, reason=reason)
