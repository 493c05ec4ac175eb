"""Plausible French identities whose identifiers validate, drawn from a seeded generator."""

from __future__ import annotations

import random
from dataclasses import dataclass

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
        """A metropolitan mobile; redrawn when it falls in a range phonenumbers rejects (069x)."""
        while True:
            number = "+336" + "".join(str(self.rng.randint(0, 9)) for _ in range(8))
            if phonenumbers.is_valid_number(phonenumbers.parse(number)):
                return number

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
