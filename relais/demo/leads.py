"""Demo leads: 18 months of referrals with realistic outcomes and a few percent duplicates.

Written in batches, each in its own transaction (leads, their prospect keys, two timeline events
each, assignments), never holding more than a batch in memory, so the large network's 1,000,000
leads stream in. Written with ``relais.bulk.fastinsert`` (COPY on PostgreSQL) rather than
``bulk_create``, whose compilation of every value was two thirds of the build; every prospect
has its own phone (``DistinctMobiles``), so the keys go in without a conflict to skip.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import reset_queries, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_noop
from faker import Faker

from relais.bulk import fastinsert
from relais.core.choices import TerritoryKind
from relais.core.deferred import later, say
from relais.core.models import Departement
from relais.core.sample_identities import DistinctMobiles, Identity
from relais.leads.choices import Channel, KeyKind, LeadStatus, RejectionReason, SoldBy
from relais.leads.models import Lead, LeadEvent, ProductCategory, ProspectKey
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.models import Partner
from relais.routing.models import Assignment, SalesTerritory

BATCH = 5000
DAYS = 548  # 18 months
DUPLICATE_SHARE = 0.03
SERVED_SHARE = 0.93  # leads from a département some active reseller serves
OUTCOMES = [  # status of a lead older than two weeks, and its weight
    (LeadStatus.WON, 30),
    (LeadStatus.LOST, 28),
    (LeadStatus.IN_PROGRESS, 14),
    (LeadStatus.OPENED, 8),
    (LeadStatus.ASSIGNED, 5),
    (LeadStatus.QUALIFIED, 5),
    (LeadStatus.REJECTED, 10),
]
STEPS = [LeadStatus.QUALIFIED, LeadStatus.ASSIGNED, LeadStatus.OPENED, LeadStatus.IN_PROGRESS]
LOST_REASONS = [
    "Trop cher",
    "Projet reporté",
    "Concurrent retenu",
    "Injoignable",
    "Financement refusé",
]
NEEDS = [
    "Isolation des combles",
    "Pompe à chaleur air/eau",
    "Panneaux solaires 6 kWc",
    "Fenêtres double vitrage",
    "Chaudière à remplacer",
]
# Why a demo lead waits unassigned, read in each reader's language (``core.deferred``).
NO_RESELLER = later(gettext_noop("No active reseller serves this département."))
DOMAINS = ["orange.fr", "gmail.com", "free.fr", "laposte.net", "sfr.fr", "hotmail.fr"]


@dataclass
class LeadBuilder:
    rng: random.Random
    count: int
    progress: Callable[[str, int], Any]
    now: datetime = field(default_factory=timezone.now)

    def __post_init__(self) -> None:
        fake = Faker("fr_FR")
        fake.seed_instance(self.rng.randint(0, 10**9))
        self.first_names = [fake.first_name() for _ in range(500)]
        self.last_names = [fake.last_name() for _ in range(1000)]
        self.identity = Identity(self.rng)
        self.mobiles = DistinctMobiles(self.rng)  # one prospect key each: none may repeat
        self.departements = list(Departement.objects.filter(kind=TerritoryKind.DEPARTEMENT))
        self.categories = list(ProductCategory.objects.all())
        self.introducers = list(
            Partner.objects.filter(
                kind=PartnerKind.INTRODUCER, status=PartnerStatus.ACTIVE
            ).values_list("pk", flat=True)
        )
        self.recent: deque[Lead] = deque(maxlen=2000)  # originals a duplicate may copy
        self.serving: dict[str, list[int]] = defaultdict(list)  # département → resellers
        for code, pk in Partner.served_departements.through.objects.filter(
            partner__kind=PartnerKind.RESELLER, partner__status=PartnerStatus.ACTIVE
        ).values_list("departement_id", "partner_id"):
            self.serving[code].append(pk)
        self.turn: Counter[str] = Counter()  # round robin per département
        # Most referrals come from where the network works; the rest, anywhere, wait unassigned.
        self.served = [d for d in self.departements if d.code in self.serving]
        self.direct = {c.pk for c in self.categories if c.sold_by == SoldBy.SALESPEOPLE}
        self.salespeople: dict[str, list[int]] = defaultdict(list)  # département → salespeople
        for code, user in SalesTerritory.departements.through.objects.filter(
            salesterritory__active=True
        ).values_list("departement_id", "salesterritory__user_id"):
            self.salespeople[code].append(user)

    def build(self) -> int:
        bar = self.progress("leads", self.count)
        made = 0
        batch = BATCH if self.count >= 50_000 else 250  # small runs still get duplicates
        for start in range(0, self.count, batch):
            leads = [self._lead(start + i) for i in range(min(batch, self.count - start))]
            with transaction.atomic():
                fastinsert.insert(leads)
                self._keys_and_events(leads)
                self._assignments(leads)
            # Only saved originals can be copied by a later duplicate.
            self.recent.extend(lead for lead in leads if lead.duplicate_of_id is None)
            # With DEBUG on, Django keeps the last 9,000 queries: huge bulk INSERTs would pile up.
            reset_queries()
            made += len(leads)
            bar.update(len(leads))
        bar.close()
        return made

    def _lead(self, index: int) -> Lead:
        rng = self.rng
        submitted = self.now - timedelta(
            days=DAYS * (1 - index / max(self.count, 1)), minutes=rng.randint(0, 1440)
        )
        if self.recent and rng.random() < DUPLICATE_SHARE:
            return self._duplicate(rng.choice(self.recent), submitted)
        dep = rng.choice(
            self.served if self.served and rng.random() < SERVED_SHARE else self.departements
        )
        first, last = rng.choice(self.first_names), rng.choice(self.last_names)
        lead = fastinsert.new(
            Lead,
            first_name=first,
            last_name=last,
            email=f"{slugify(first)}.{slugify(last)}.{index}@{rng.choice(DOMAINS)}",
            phone=self.mobiles(index),
            postcode=self.identity.postcode(dep.code, dep.chef_lieu_postcode),
            departement=dep,
            need=rng.choice(NEEDS),
            category=rng.choice(self.categories),
            estimated_value=Decimal(rng.randrange(2000, 40000, 500)),
            partner_id=rng.choice(self.introducers) if self.introducers else None,
            channel=rng.choices(
                [Channel.PORTAL, Channel.REFERRAL_LINK, Channel.API, Channel.EMAIL, Channel.STAFF],
                [50, 25, 15, 5, 5],
            )[0],
            submitted_at=submitted,
            last_prospect_contact_at=submitted,
        )
        self._outcome(lead)
        self._assign(lead)
        return lead

    def _duplicate(self, original: Lead, submitted: datetime) -> Lead:
        other = self.rng.choice(self.introducers) if self.introducers else None
        return fastinsert.new(
            Lead,
            first_name=original.first_name,
            last_name=original.last_name,
            email=original.email,
            phone=original.phone,
            postcode=original.postcode,
            departement_id=original.departement_id,
            need=original.need,
            category_id=original.category_id,
            channel=Channel.PORTAL,
            partner_id=other,
            submitted_at=min(
                max(submitted, original.submitted_at + timedelta(minutes=5)), self.now
            ),
            last_prospect_contact_at=submitted,
            duplicate_of=original,
            status=LeadStatus.REJECTED,
            rejection_reason=RejectionReason.DUPLICATE,
            rejected_at=submitted,
        )

    def _outcome(self, lead: Lead) -> None:
        age = (self.now - lead.submitted_at).days
        status = (
            LeadStatus.SUBMITTED if age < 3 else self.rng.choices(*zip(*OUTCOMES, strict=True))[0]
        )
        if age < 14 and status in (LeadStatus.WON, LeadStatus.LOST):
            status = LeadStatus.OPENED
        lead.status = status
        if status == LeadStatus.SUBMITTED:
            return  # not yet looked at: no later stamp
        # A step that would fall after today has not happened yet: the lead stops before it
        # (no lead won, and no commission earned, in the future).
        when, reached = lead.submitted_at, LeadStatus.SUBMITTED
        for step in STEPS:
            when += timedelta(hours=self.rng.randint(2, 72))
            if when > self.now:
                lead.status = reached
                return
            if status == LeadStatus.REJECTED:
                lead.rejected_at, lead.rejection_reason = (
                    when,
                    self.rng.choice([r for r in RejectionReason if r != RejectionReason.DUPLICATE]),
                )
                return
            setattr(lead, f"{step}_at", when)
            reached = step
            if step == status:
                return
        when += timedelta(days=self.rng.randint(5, 60))
        if when > self.now:
            lead.status = reached
            return
        if status == LeadStatus.WON:
            lead.won_at, lead.won_date = when, when.date()
            lead.won_amount = (lead.estimated_value or Decimal(5000)) * Decimal(
                self.rng.choice(["0.8", "1", "1.1"])
            )
        elif status == LeadStatus.LOST:
            lead.lost_at, lead.lost_reason = when, self.rng.choice(LOST_REASONS)

    def _assign(self, lead: Lead) -> None:
        """A qualified lead went, in turn, to a salesperson covering its département when our
        salespeople sell its product, to a reseller serving it otherwise — at once, as the router
        does; where no one covers it, it waits unassigned (the queue the managers see)."""
        if lead.qualified_at is None:
            return
        code = lead.departement_id or ""  # every demo lead has its département
        direct = lead.category_id in self.direct  # sold by our salespeople, not by resellers
        pool = (self.salespeople if direct else self.serving).get(code)
        if not pool:
            for stamp in ("assigned_at", "opened_at", "in_progress_at", "won_at", "lost_at"):
                setattr(lead, stamp, None)
            lead.won_amount, lead.won_date, lead.lost_reason = None, None, ""
            lead.status = LeadStatus.QUALIFIED
            return
        if lead.assigned_at is None:  # qualified, and routed the same minute
            lead.assigned_at = min(lead.qualified_at + timedelta(minutes=1), self.now)
            lead.status = LeadStatus.ASSIGNED
        turn = f"{direct}{code}"
        chosen = pool[self.turn[turn] % len(pool)]
        self.turn[turn] += 1
        if direct:
            lead.assigned_salesperson_id = chosen
        else:
            lead.assigned_reseller_id = chosen

    def _assignments(self, leads: list[Lead]) -> None:
        fastinsert.insert(
            [
                fastinsert.new(
                    Assignment,
                    lead=lead,
                    reseller_id=lead.assigned_reseller_id,
                    salesperson_id=lead.assigned_salesperson_id,
                    assigned_at=lead.assigned_at or lead.submitted_at,
                    opened_at=lead.opened_at,
                    explanation={"demo": True},
                )
                for lead in leads
                if lead.assigned_reseller_id or lead.assigned_salesperson_id
            ]
        )
        unassigned = [
            fastinsert.new(
                LeadEvent,
                lead=lead,
                at=lead.qualified_at or lead.submitted_at,
                kind="unassigned",
                note=say(NO_RESELLER),
                data={"reason": say(NO_RESELLER), "says": NO_RESELLER},  # as the router writes
            )
            for lead in leads
            if lead.status == LeadStatus.QUALIFIED and lead.assigned_at is None
        ]
        fastinsert.insert(unassigned)

    def _keys_and_events(self, leads: list[Lead]) -> None:
        keys, events = [], []
        for lead in leads:
            if lead.duplicate_of is None:
                keys += [
                    fastinsert.new(
                        ProspectKey,
                        kind=KeyKind.EMAIL,
                        value=lead.email,
                        lead=lead,
                        lead_submitted_at=lead.submitted_at,
                    ),
                    fastinsert.new(
                        ProspectKey,
                        kind=KeyKind.PHONE,
                        value=lead.phone,
                        lead=lead,
                        lead_submitted_at=lead.submitted_at,
                    ),
                ]
            events.append(
                fastinsert.new(
                    LeadEvent,
                    lead=lead,
                    at=lead.submitted_at,
                    kind="submitted",
                    to_status=LeadStatus.SUBMITTED,
                )
            )
            if lead.status != LeadStatus.SUBMITTED:
                at = getattr(lead, f"{lead.status}_at") or lead.submitted_at
                events.append(
                    fastinsert.new(
                        LeadEvent,
                        lead=lead,
                        at=at,
                        kind="status",
                        from_status=LeadStatus.SUBMITTED,
                        to_status=lead.status,
                    )
                )
        fastinsert.insert(keys)  # no conflict: e-mails and phones are distinct by the lead's index
        fastinsert.insert(events)
