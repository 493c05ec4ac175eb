"""The router: who gets each qualified lead, decided under lock, explained, in batches.

Order of preference (seed 002's norms), among those serving the lead's département and product,
who did not decline it (or let it expire) and are under their monthly capacity:
1. assignees below the yearly minimum first, the least served of them first;
2. then the fewest leads over 12 months, where better KPIs count as less served
   (``leads / (1 + weight × score)``, weight = ``RELAIS_ROUTING_KPI_WEIGHT``);
3. then the least loaded this month, then the lowest id (a recorded tie-break: no randomness).
Capacity is never exceeded: the assignees' profile rows are locked, in a fixed order, while
counting and assigning. Products sold by our own salespeople go to their sales territories with
the same machinery.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from relais.accounts.selectors import manager_emails
from relais.bulk import fastinsert
from relais.core.deferred import Deferred, later, later_plural, say
from relais.core.http import absolute_url
from relais.leads import counters
from relais.leads.choices import LeadStatus, SoldBy
from relais.leads.lifecycle import leads_timeline_add
from relais.leads.models import Lead, ProductCategory
from relais.leads.services import leads_move
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.models import Partner
from relais.routing import gates
from relais.routing.choices import AssignmentEnd
from relais.routing.kpis import scores
from relais.routing.models import Assignment, ResellerProfile, SalesTerritory

RESELLER, SALESPERSON = "reseller", "salesperson"
RULE = "below yearly minimum, fewest in 12 months weighted by KPIs, least loaded, lowest id"


@dataclass
class Assignee:
    """One reseller or salesperson while a batch is routed (counts move as leads are given)."""

    kind: str
    id: int
    name: str
    capacity: int
    last_12_months: int
    this_month: int
    score: float
    categories: frozenset[int] | None  # None: every product
    # Its place in the order of preference (``Pool.preference``), kept up to date by the pool:
    # only the chosen assignee's counts change, so each lead's ranking sorts by a stored key
    # instead of computing it again for sixty candidates.
    rank: tuple[int, float, float, int] = (0, 0.0, 0.0, 0)


_RANK = attrgetter("rank")

# How many of the eligible candidates an assignment keeps, best first: enough to see why the
# chosen one came first; the others are counted (storing ~50 per lead made routing slow).
SHOWN = 10


def _month_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


class Pool:
    """The assignees of some départements, locked for the transaction, with their counts."""

    def __init__(self, kind: str, departements: set[str], now: datetime) -> None:
        self.kind, self.now = kind, now
        self.by_departement: dict[str, list[Assignee]] = defaultdict(list)
        self.minimum = settings.RELAIS_ROUTING_YEARLY_MINIMUM
        self.weight = settings.RELAIS_ROUTING_KPI_WEIGHT
        serving = self._serving(departements)
        ids = sorted({pk for pks in serving.values() for pk in pks})
        locked = self._lock(ids)
        counts = self._counts(ids)
        score = scores(ids, assignee=kind, now=now) if ids else {}
        # Held back by an app above (a required training module missing): reason by id.
        self.held = gates.held_back(kind, ids, now) if ids else {}
        self.members = {
            pk: Assignee(
                kind,
                pk,
                name,
                capacity,
                counts.get(pk, (0, 0))[0],
                counts.get(pk, (0, 0))[1],
                round(score.get(pk, 0.5), 4),
                categories,
            )
            for pk, (name, capacity, categories) in locked.items()
        }
        for member in self.members.values():
            member.rank = self.preference(member)
        for code, pks in serving.items():
            self.by_departement[code] = [
                self.members[pk] for pk in sorted(pks) if pk in self.members
            ]

    def _serving(self, departements: set[str]) -> dict[str, set[int]]:
        rows: list[tuple[str, int]]
        if self.kind == RESELLER:
            rows = list(
                Partner.objects.filter(
                    kind=PartnerKind.RESELLER,
                    status=PartnerStatus.ACTIVE,
                    served_departements__in=departements,
                ).values_list("served_departements", "pk")
            )
        else:
            rows = list(
                SalesTerritory.objects.filter(
                    active=True, user__is_active=True, departements__in=departements
                ).values_list("departements", "user_id")
            )
        serving: dict[str, set[int]] = defaultdict(set)
        for code, pk in rows:
            serving[code].add(pk)
        return serving

    def _lock(self, ids: list[int]) -> dict[int, tuple[str, int, frozenset[int] | None]]:
        """The lock that keeps capacity: concurrent routings for these assignees wait here,
        always in the same order, so two batches cannot deadlock."""
        if not ids:
            return {}
        if self.kind == RESELLER:
            locked, products = _lock_resellers(ids)
        else:
            locked, products = _lock_salespeople(ids), []
        listed: dict[int, set[int]] = defaultdict(set)
        for pk, category in products:
            listed[pk].add(category)
        return {
            pk: (name, capacity, frozenset(listed[pk]) if pk in listed else None)
            for pk, name, capacity in locked
        }

    def _counts(self, ids: list[int]) -> dict[int, tuple[int, int]]:
        # Declined leads were given back at once: they do not count as served.
        live = Assignment.objects.filter(
            **{f"{self.kind}_id__any_of": ids}, assigned_at__gte=self.now - timedelta(days=365)
        ).exclude(end=AssignmentEnd.DECLINED)
        # Counting assigned_at (never null), not the id: the (assignee, assigned_at, end)
        # index holds all the count reads, so PostgreSQL reads the index alone.
        month = Q(assigned_at__gte=_month_start(self.now))
        rows = live.values(f"{self.kind}_id").annotate(
            year=Count("assigned_at"), month=Count("assigned_at", filter=month)
        )
        return {r[f"{self.kind}_id"]: (r["year"], r["month"]) for r in rows}

    def candidates(
        self, lead: Lead, refused: set[int]
    ) -> tuple[list[Assignee], Counter[str], list[Assignee]]:
        """Those who may take the lead, best first, how many were excluded, by reason, and
        those a gate held back (named in the explanation with the gate's reason)."""
        eligible, excluded, held = [], Counter[str](), []
        for a in self.by_departement.get(lead.departement_id or "", []):  # none: outside
            if a.categories is not None and lead.category_id not in a.categories:
                excluded["product"] += 1
            elif a.id in self.held:
                excluded["blocked"] += 1
                held.append(a)
            elif a.id in refused:
                excluded["declined"] += 1
            elif a.this_month >= a.capacity:
                excluded["capacity"] += 1
            else:
                eligible.append(a)
        eligible.sort(key=_RANK)
        return eligible, excluded, held

    def preference(self, a: Assignee) -> tuple[int, float, float, int]:
        load = a.this_month / max(a.capacity, 1)
        if a.last_12_months < self.minimum:
            return (0, a.last_12_months, load, a.id)
        return (1, a.last_12_months / (1 + self.weight * a.score), load, a.id)

    def take(self, assignee_id: int) -> None:
        member = self.members[assignee_id]
        member.this_month += 1
        member.last_12_months += 1
        member.rank = self.preference(member)


def _lock_resellers(
    ids: list[int],
) -> tuple[list[tuple[int, str, int]], list[tuple[int, int]]]:
    ResellerProfile.objects.bulk_create(
        [ResellerProfile(partner_id=i) for i in ids], ignore_conflicts=True
    )
    rows = ResellerProfile.objects.select_for_update(of=("self",)).filter(partner_id__any_of=ids)
    locked = list(
        rows.order_by("partner_id").values_list(
            "partner_id", "partner__company_name", "monthly_capacity"
        )
    )
    products = list(
        ResellerProfile.categories.through.objects.filter(
            resellerprofile__partner_id__any_of=ids
        ).values_list("resellerprofile__partner_id", "productcategory_id")
    )
    return locked, products


def _lock_salespeople(ids: list[int]) -> list[tuple[int, str, int]]:
    # A salesperson sells every product we sell ourselves: no product list.
    rows = SalesTerritory.objects.select_for_update(of=("self",)).filter(user_id__any_of=ids)
    return list(rows.order_by("user").values_list("user", "user__email", "monthly_capacity"))


def _sold_by_salespeople() -> set[int]:
    return set(
        ProductCategory.objects.filter(sold_by=SoldBy.SALESPEOPLE).values_list("pk", flat=True)
    )


def leads_route(*, lead_ids: Iterable[int], now: datetime | None = None) -> list[Assignment]:
    """Assign these leads if still qualified and not held; safe to run twice. One transaction:
    the batch is assigned in lead order, each choice seeing the ones before it."""
    now = now or timezone.now()
    with transaction.atomic():
        leads = list(
            Lead.objects.select_for_update(of=("self",))
            .filter(pk__any_of=list(lead_ids), status=LeadStatus.QUALIFIED, review_reason="")
            .order_by("pk")
        )
        if not leads:
            return []
        direct = _sold_by_salespeople()
        made: list[Assignment] = []
        unassigned: list[tuple[Lead, dict[str, Any]]] = []
        refused = _refused([lead.pk for lead in leads])
        # A reopened lead may still hold its old assignment: end it before the new one.
        if Assignment.objects.filter(
            lead_id__any_of=[lead.pk for lead in leads], ended_at__isnull=True
        ).update(ended_at=now, end=AssignmentEnd.REASSIGNED):
            counters.touch(lead.pk for lead in leads)
        for kind in (RESELLER, SALESPERSON):
            batch = [lead for lead in leads if (lead.category_id in direct) == (kind != RESELLER)]
            if batch:
                made += _route_batch(kind, batch, refused, now, unassigned)
        _record_unassigned(unassigned, now)
    return made


def _route_batch(
    kind: str,
    leads: list[Lead],
    refused: dict[int, set[int]],
    now: datetime,
    unassigned: list[tuple[Lead, dict[str, Any]]],
) -> list[Assignment]:
    pool = Pool(kind, {lead.departement_id for lead in leads if lead.departement_id}, now)
    made, routed = [], []
    for lead in leads:
        eligible, excluded, held = pool.candidates(lead, refused.get(lead.pk, set()))
        explanation: dict[str, Any] = {
            "rule": RULE,
            "weight": pool.weight,
            "candidates": [_shown(a) for a in eligible[:SHOWN]],
            "eligible": len(eligible),
            "excluded": dict(excluded),
        }
        if held:
            explanation["blocked"] = [
                {"id": a.id, "name": a.name, "says": later(pool.held[a.id])} for a in held[:SHOWN]
            ]
        if not eligible:
            why = (
                later(_no_one_reason(kind, excluded))
                if lead.departement_id
                # No French département uses its postcode (Monaco's 98000): a manager places it.
                else later(OUTSIDE, postcode=lead.postcode)
            )
            # The note and the managers' e-mail in the router's language; ``says`` for the
            # timeline and the queue, in their reader's.
            explanation["reason"], explanation["says"] = say(why), why
            unassigned.append((lead, explanation))
            continue
        chosen = eligible[0]
        pool.take(chosen.id)
        explanation["chosen"] = chosen.id
        made.append(
            fastinsert.new(
                Assignment,
                lead=lead,
                assigned_at=now,
                explanation=explanation,
                **{f"{kind}_id": chosen.id},
            )
        )
        setattr(lead, f"assigned_{kind}_id", chosen.id)
        routed.append(lead)
    fastinsert.insert(made)
    notes, says = _notes(made)
    # Each lead's assignee (set above) is written with its new status.
    leads_move(
        leads=routed,
        to=LeadStatus.ASSIGNED,
        actor=None,
        at=now,
        notes=notes,
        says=says,
        also=(f"assigned_{kind}_id",),
    )
    return made


def _shown(a: Assignee) -> dict[str, Any]:
    """A candidate as the assignment keeps it: the figures it was ranked on, before the choice."""
    return {
        "id": a.id,
        "name": a.name,
        "last_12_months": a.last_12_months,
        "this_month": a.this_month,
        "capacity": a.capacity,
        "score": a.score,
    }


CHOSEN = gettext_noop(
    "→ %(name)s: %(rule)s (%(n)s leads in 12 months); %(candidates)s, %(excluded)s."
)
BELOW = gettext_noop("below the yearly minimum of %(min)s")
SERVED = gettext_noop("the least served, weighted by its KPIs")


def _notes(made: list[Assignment]) -> tuple[dict[int, str], dict[int, Deferred]]:
    """Each choice in one sentence, for the lead's timeline (the ranking is on the assignment):
    the note in the router's language, and the same sentence as a deferred message that the
    timeline says in its reader's. The note's parts are translated once per batch (the counts'
    plurals once per number): a catalogue lookup per lead was a tenth of routing a batch's
    Python."""
    minimum = settings.RELAIS_ROUTING_YEARLY_MINIMUM
    below = _(BELOW) % {"min": minimum}
    served = _(SERVED)
    sentence = _(CHOSEN)
    rules = {True: later(BELOW, min=minimum), False: later(SERVED)}

    @cache
    def candidates(n: int) -> str:
        return ngettext("%(n)s candidate", "%(n)s candidates", n) % {"n": n}

    @cache
    def excluded(n: int) -> str:
        return ngettext("%(n)s excluded", "%(n)s excluded", n) % {"n": n}

    notes, says = {}, {}
    for assignment in made:
        explanation = assignment.explanation
        chosen = explanation["candidates"][0]
        others = sum(explanation["excluded"].values())
        total, below_minimum = explanation["eligible"] + others, chosen["last_12_months"] < minimum
        notes[assignment.lead_id] = sentence % {
            "name": chosen["name"],
            "rule": below if below_minimum else served,
            "n": chosen["last_12_months"],
            "candidates": candidates(total),
            "excluded": excluded(others),
        }
        says[assignment.lead_id] = later(
            CHOSEN,
            name=chosen["name"],
            rule=rules[below_minimum],
            n=chosen["last_12_months"],
            # The plurals' msgids are marked by the ngettext calls above (gettext_noop would
            # make them singular entries of the catalogue).
            candidates=later_plural("%(n)s candidate", "%(n)s candidates", total),
            excluded=later_plural("%(n)s excluded", "%(n)s excluded", others),
        )
    return notes, says


def _refused(lead_ids: list[int]) -> dict[int, set[int]]:
    """Who gave each lead back (declined, or let it expire unopened): never offered it again."""
    refused: dict[int, set[int]] = defaultdict(set)
    ended = Assignment.objects.filter(
        lead_id__any_of=lead_ids, end__in=(AssignmentEnd.DECLINED, AssignmentEnd.EXPIRED)
    ).values_list("lead_id", "reseller_id", "salesperson_id")
    for lead_id, reseller_id, salesperson_id in ended:
        refused[lead_id].add(reseller_id or salesperson_id)
    return refused


OUTSIDE = gettext_noop("Outside the territory we serve: postcode %(postcode)s.")


def _no_one_reason(kind: str, excluded: Counter[str]) -> str:
    """Why no one took the lead, as a msgid (stored as a deferred message)."""
    if not excluded:
        if kind == SALESPERSON:
            return gettext_noop("No salesperson's territory covers this département.")
        return gettext_noop("No active reseller serves this département.")
    if set(excluded) == {"capacity"}:
        return gettext_noop("Everyone serving this département is at their monthly capacity.")
    if set(excluded) == {"blocked"}:
        return gettext_noop(
            "Everyone serving this département is held back: a required training is missing."
        )
    return gettext_noop(
        "No one serving this département can take it (product, capacity, declined or training)."
    )


def _record_unassigned(unassigned: list[tuple[Lead, dict[str, Any]]], now: datetime) -> None:
    if not unassigned:
        return
    entries = [(lead, data["reason"], data) for lead, data in unassigned]
    leads_timeline_add(entries=entries, kind="unassigned", at=now)
    summary = [(lead.pk, data["reason"]) for lead, data in unassigned]
    transaction.on_commit(lambda: managers_tell_unassigned(summary=summary))


def managers_tell_unassigned(*, summary: list[tuple[int, str]]) -> None:
    emails = manager_emails()
    if not emails:
        return
    if len(summary) == 1:
        subject = _("Lead %(id)s could not be routed") % {"id": summary[0][0]}
    else:
        subject = _("%(count)s leads could not be routed") % {"count": len(summary)}
    lines = [f"#{pk} — {reason}" for pk, reason in summary[:200]]
    queue = absolute_url(reverse("routing:unassigned"))
    send_mail(subject, "\n".join(lines) + f"\n\n{queue}", None, emails)


def lead_route(*, lead_id: int, now: datetime | None = None) -> Assignment | None:
    """Route one lead (the LeadQualified handler); None when it stays unassigned."""
    made = leads_route(lead_ids=[lead_id], now=now)
    return made[0] if made else None
