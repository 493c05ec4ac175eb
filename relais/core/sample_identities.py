"""Plausible French identities whose identifiers validate, drawn from a seeded generator.

In core because both the demo builder and the test factories draw from it, and the test
factories must not import the demo (which sits on top of every app)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from functools import cache

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum import luhn

from relais.core.identifiers import vat_key_for_siren
from relais.core.territory import departement_for_postcode

BANKS = [  # (bank code, BIC) of real French banks
    ("30004", "BNPAFRPPXXX"),
    ("30006", "AGRIFRPPXXX"),
    ("30003", "SOGEFRPPXXX"),
    ("10278", "CMCIFRPPXXX"),
    ("20041", "PSSTFRPPXXX"),
    ("16706", "AGRIFRPP867"),
    ("10207", "CCBPFRPPMTG"),
    ("11315", "CEPAFRPP131"),
]


@dataclass
class Identity:
    rng: random.Random

    def siren(self) -> str:
        body = str(self.rng.randint(1, 9)) + "".join(str(self.rng.randint(0, 9)) for _ in range(7))
        return body + luhn.calc_check_digit(body)

    def siret(self, siren: str) -> str:
        nic = f"{self.rng.randint(1, 99):04d}"
        return siren + nic + luhn.calc_check_digit(siren + nic)

    @staticmethod
    def vat(siren: str) -> str:
        return f"FR{vat_key_for_siren(siren)}{siren}"

    def iban_bic(self) -> tuple[str, str]:
        bank, bic = self.rng.choice(BANKS)
        branch = f"{self.rng.randint(0, 99999):05d}"
        account = f"{self.rng.randint(0, 10**11 - 1):011d}"
        rib_key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
        bban = f"{bank}{branch}{account}{rib_key:02d}"
        return f"FR{stdnum_iban.calc_check_digits('FR00' + bban)}{bban}", bic

    def mobile(self) -> str:
        """A metropolitan mobile (06 or 07) that phonenumbers accepts."""
        prefixes = mobile_prefixes()
        return f"+33{self.rng.choice(prefixes)}{self.rng.randrange(10**6):06d}"

    def postcode(self, departement: str, chef_lieu_postcode: str) -> str:
        """The chief town's postcode or another in the same range, always in ``departement``."""
        if self.rng.random() < 0.3:
            return chef_lieu_postcode
        if departement == "2A":
            candidate = f"20{self.rng.choice('01')}{self.rng.randint(0, 9)}0"
        elif departement == "2B":
            candidate = f"20{self.rng.choice('26')}{self.rng.randint(0, 9)}0"
        elif len(departement) == 3:
            candidate = f"{departement}{self.rng.randint(1, 9)}0"
        else:
            candidate = f"{departement}{self.rng.randint(1, 9)}{self.rng.randint(0, 9)}0"
        return (
            candidate if departement_for_postcode(candidate) == departement else chef_lieu_postcode
        )


@cache
def mobile_prefixes() -> tuple[str, ...]:
    """The first three digits of the national numbers phonenumbers accepts as French mobiles:
    its French mobile ranges are decided by those three (the 6 or 7 and two more), any six
    digits following. Asked once per prefix, at both ends of its range: a number drawn, then
    checked, cost ~25 µs, a third of the making of a demo lead."""
    return tuple(
        prefix
        for prefix in (f"{first}{rest:02d}" for first in "67" for rest in range(100))
        if all(
            phonenumbers.is_valid_number(phonenumbers.parse(f"+33{prefix}{tail}"))
            for tail in ("000000", "999999")
        )
    )


@dataclass
class DistinctMobiles:
    """The n-th of a seeded sequence of valid mobiles in which none repeats (for the first 162
    million): n scrambled over every valid mobile by a step coprime to their count. The demo's
    leads need one each, and a million numbers drawn at random share a few thousand."""

    rng: random.Random
    space: int = field(init=False)
    step: int = field(init=False)
    offset: int = field(init=False)

    def __post_init__(self) -> None:
        self.space = len(mobile_prefixes()) * 10**6
        self.offset = self.rng.randrange(self.space)
        self.step = self.rng.randrange(self.space // 3, self.space)
        while math.gcd(self.step, self.space) != 1:
            self.step += 1

    def __call__(self, index: int) -> str:
        prefix, rest = divmod((self.offset + index * self.step) % self.space, 10**6)
        return f"+33{mobile_prefixes()[prefix]}{rest:06d}"
