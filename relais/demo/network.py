"""The demo network: staff, resellers across the départements, introducers, their users.

Deterministic for a seed: one ``random.Random`` and one seeded Faker drive every choice.
Rows are built in memory and written with ``bulk_create`` in batches, so the large network
(5,000 resellers, 50,000 introducers) takes seconds, not hours.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify
from faker import Faker

from relais.accounts.choices import Role
from relais.accounts.models import User
from relais.core.choices import TerritoryKind
from relais.core.models import Departement
from relais.core.sample_identities import Identity
from relais.demo.commissions import build_commissions
from relais.demo.leads import LeadBuilder
from relais.demo.onboarding import build_onboarding
from relais.leads.choices import SoldBy
from relais.leads.models import ProductCategory
from relais.leads.seed import ensure_seed
from relais.partners.choices import LegalForm, PartnerKind, PartnerStatus, TaxRegime
from relais.partners.models import Partner, PartnerMember
from relais.routing.models import ResellerProfile, SalesTerritory

DEMO_PASSWORD = "relais-demo-2026"  # noqa: S105 - printed by `make run`, demo only
DEMO_DOMAIN = "relais.demo"
BATCH = 2000
_REFERRAL_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"

SIZES = {
    "small": {"resellers": 30, "introducers": 200, "leads": 1500},
    "large": {"resellers": 5000, "introducers": 50000, "leads": 1_000_000},
}
# Denser networks where the economy is: these départements weigh three times the others.
DENSE = {
    "06",
    "13",
    "31",
    "33",
    "34",
    "38",
    "44",
    "59",
    "62",
    "67",
    "69",
    "75",
    "76",
    "77",
    "78",
    "91",
    "92",
    "93",
    "94",
    "95",
}
SECTORS = [
    "Rénovation énergétique",
    "Photovoltaïque",
    "Pompes à chaleur",
    "Menuiseries",
    "Assurance",
    "Immobilier",
    "Expertise comptable",
    "Informatique",
    "Cuisine",
    "Piscines",
]
SOLD_BY_SALESPEOPLE = ("menuiseries",)  # the demo's products our own salesperson sells
STATUS_WEIGHTS = [
    (PartnerStatus.ACTIVE, 70),
    (PartnerStatus.CANDIDATE, 15),
    (PartnerStatus.PAUSED, 10),
    (PartnerStatus.ENDED, 5),
]

STAFF = [
    ("admin", Role.ADMIN, "Camille", "Bernard"),
    ("manager", Role.MANAGER, "Julien", "Moreau"),
    ("commercial", Role.SALESPERSON, "Sophie", "Laurent"),
]
DEMO_LOGINS = [
    (f"admin@{DEMO_DOMAIN}", "admin", DEMO_PASSWORD),
    (f"manager@{DEMO_DOMAIN}", "manager", DEMO_PASSWORD),
    (f"commercial@{DEMO_DOMAIN}", "salesperson", DEMO_PASSWORD),
    (f"revendeur@{DEMO_DOMAIN}", "reseller user", "magic link"),
    (f"apporteur@{DEMO_DOMAIN}", "introducer", "magic link"),
]


@dataclass
class DemoBuilder:
    seed: int
    size: str
    progress: Callable[[str, int], Any]  # (label, total) -> object with update(n) and close()
    leads: int | None = None  # overrides the size's number of leads
    rng: random.Random = field(init=False)
    fake: Faker = field(init=False)
    identity: Identity = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 - reproducible demo data, not secrets
        self.fake = Faker("fr_FR")
        self.fake.seed_instance(self.seed)
        self.identity = Identity(self.rng)
        self.departements = list(Departement.objects.filter(kind=TerritoryKind.DEPARTEMENT))
        self.weights = [3 if d.code in DENSE else 1 for d in self.departements]
        self.used_codes: set[str] = set()

    def build(self) -> dict[str, int]:
        counts = SIZES[self.size]
        with transaction.atomic():
            self._staff()
            self._sales()
            resellers = self._partners(PartnerKind.RESELLER, counts["resellers"])
            self._served(resellers)
            introducers = self._partners(PartnerKind.INTRODUCER, counts["introducers"])
            self._members(resellers[:1], introducers[:1])
            if self.size == "small":
                build_onboarding(self.rng, User.objects.get(email=f"manager@{DEMO_DOMAIN}"))
        # Outside the partners' transaction: a million leads commit batch by batch.
        count = counts["leads"] if self.leads is None else self.leads
        leads = LeadBuilder(rng=self.rng, count=count, progress=self.progress).build()
        lines = build_commissions(self.progress)
        return {
            "resellers": len(resellers),
            "introducers": len(introducers),
            "leads": leads,
            "lines": lines,
        }

    # --- staff and partner users --------------------------------------------------------------

    def _staff(self) -> None:
        hashed = make_password(DEMO_PASSWORD)  # one argon2 hash for the three demo accounts
        for local, role, first, last in STAFF:
            User.objects.create(
                email=f"{local}@{DEMO_DOMAIN}",
                password=hashed,
                role=role,
                first_name=first,
                last_name=last,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )

    def _sales(self) -> None:
        """Windows and doors are sold by our own salesperson, across the country: her inbox
        fills with those leads (the others go to resellers)."""
        ensure_seed()
        ProductCategory.objects.filter(code__in=SOLD_BY_SALESPEOPLE).update(
            sold_by=SoldBy.SALESPEOPLE
        )
        territory = SalesTerritory.objects.create(
            user=User.objects.get(email=f"commercial@{DEMO_DOMAIN}"), monthly_capacity=60
        )
        territory.departements.set(self.departements)

    def _members(self, resellers: list[Partner], introducers: list[Partner]) -> None:
        """The named demo logins, then a user for each partner of a small network."""
        named = [
            ("revendeur", Role.RESELLER, resellers[0]),
            ("apporteur", Role.INTRODUCER, introducers[0]),
        ]
        for local, role, partner in named:
            user = User.objects.create_user(
                f"{local}@{DEMO_DOMAIN}",
                None,
                role=role,
                first_name=partner.first_name,
                last_name=partner.last_name,
            )
            PartnerMember.objects.create(user=user, partner=partner)
        if self.size != "small":
            return
        others = Partner.objects.exclude(members__isnull=False).order_by("pk")
        for partner in others:
            user = User.objects.create_user(
                partner.email,
                None,
                role=partner.user_role,
                first_name=partner.first_name,
                last_name=partner.last_name,
            )
            PartnerMember.objects.create(user=user, partner=partner)

    # --- partners -----------------------------------------------------------------------------

    def _partners(self, kind: PartnerKind, count: int) -> list[Partner]:
        bar = self.progress(f"{kind.value}s", count)  # like the other bars: English, plural
        created: list[Partner] = []
        rows = (self._partner(kind, i) for i in range(count))
        while batch := list(islice(rows, BATCH)):
            created += Partner.objects.bulk_create(batch)
            bar.update(len(batch))
        bar.close()
        if not created or created[0].pk is None:  # backends that do not return ids on bulk insert
            created = list(Partner.objects.filter(kind=kind).order_by("pk"))
        return created

    def _partner(self, kind: PartnerKind, index: int) -> Partner:
        rng, fake = self.rng, self.fake
        dep = rng.choices(self.departements, self.weights)[0]
        legal_form = self._legal_form(kind)
        first, last = fake.first_name(), fake.last_name()
        iban, bic = self.identity.iban_bic()
        partner = Partner(
            kind=kind,
            legal_form=legal_form,
            first_name=first,
            last_name=last,
            status=rng.choices([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])[0],
            phone=self.identity.mobile(),
            address_line=fake.street_address(),
            postcode=self.identity.postcode(dep.code, dep.chef_lieu_postcode),
            city=dep.chef_lieu if rng.random() < 0.3 else fake.city(),
            departement=dep,
            iban=iban,
            bic=bic,
            sector=rng.choice(SECTORS),
            referral_code=self._referral_code(),
        )
        if legal_form == LegalForm.INDIVIDUAL:
            partner.tax_regime = TaxRegime.NON_PROFESSIONAL
        else:
            partner.siren = self.identity.siren()
            partner.siret = self.identity.siret(partner.siren)
            partner.company_name = self._company_name(legal_form, last)
            vat_liable = legal_form == LegalForm.COMPANY or rng.random() < 0.3
            partner.tax_regime = TaxRegime.VAT_LIABLE if vat_liable else TaxRegime.VAT_FRANCHISE
            partner.vat_number = self.identity.vat(partner.siren) if vat_liable else ""
        slug = slugify(f"{first} {last}").replace("-", ".")
        partner.email = f"{slug}.{kind.value[0]}{index}@example.fr"
        return partner

    def _legal_form(self, kind: PartnerKind) -> LegalForm:
        if kind == PartnerKind.RESELLER:
            return LegalForm.COMPANY if self.rng.random() < 0.8 else LegalForm.MICRO
        return self.rng.choices(
            [LegalForm.INDIVIDUAL, LegalForm.MICRO, LegalForm.COMPANY], [50, 30, 20]
        )[0]

    def _company_name(self, legal_form: LegalForm, last_name: str) -> str:
        if legal_form == LegalForm.MICRO:
            return (
                f"{last_name} {self.rng.choice(['Services', 'Conseil', 'Habitat', 'Énergies'])} EI"
            )
        return (
            f"{_bare_company(self.fake.company())} {self.rng.choice(['SAS', 'SARL', 'SA', 'EURL'])}"
        )

    def _referral_code(self) -> str:
        while True:
            code = "".join(self.rng.choice(_REFERRAL_ALPHABET) for _ in range(8))
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def _served(self, resellers: list[Partner]) -> None:
        """Each reseller serves its home département and, often, one or two others nearby."""
        through = Partner.served_departements.through
        codes = [d.code for d in self.departements]
        bar = self.progress("départements served", len(resellers))
        for chunk in _chunks(resellers, BATCH):
            links = []
            for reseller in chunk:
                served = {reseller.departement_id}
                position = codes.index(reseller.departement_id)
                for _extra in range(self.rng.choice([0, 0, 1, 2])):
                    served.add(codes[(position + self.rng.choice([-1, 1])) % len(codes)])
                links += [through(partner_id=reseller.pk, departement_id=c) for c in sorted(served)]
            through.objects.bulk_create(links)
            ResellerProfile.objects.bulk_create(
                [
                    ResellerProfile(
                        partner=r, monthly_capacity=self.rng.choice([5, 10, 15, 20, 30])
                    )
                    for r in chunk
                ]
            )
            bar.update(len(chunk))
        bar.close()


# Faker's French company names may end with a legal form already ("Torres SARL"); the demo adds
# the one it chose, so that form is taken off first (no "Torres SARL SARL").
_LEGAL_SUFFIX = re.compile(
    r"(?:\s+(?:SA|S\.A\.|SARL|S\.A\.R\.L\.|SAS|S\.A\.S\.|EURL|EI|et Fils))+$", re.IGNORECASE
)


def _bare_company(name: str) -> str:
    return _LEGAL_SUFFIX.sub("", name).strip() or name


def _chunks(items: list[Partner], size: int) -> Iterator[list[Partner]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
