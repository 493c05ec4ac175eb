"""The French treatment of challenge rewards, as arithmetic on Decimal from the dated parameters
(``core.params``; seeded from french-rules.md, "Gifts and rewards").

A reseller's staff member (CSS L242-1-4), per person and calendar year, against the monthly SMIC:
exempt up to ``challenge_exempt_share`` % of it; the giver pays the "contribution libératoire"
(``challenge_flat_rate`` %) on the slice up to ``challenge_flat_share`` %; above, the excess is
flagged: ordinary social contributions are due on it.

Gift vouchers, per operation (one challenge's vouchers to one person): exempt up to
``voucher_exempt_share`` %, the flat rate on the slice up to ``voucher_flat_share`` %. A voucher
operation above that ceiling loses the voucher rule and counts in the yearly scale with the other
rewards. From ``voucher_abuse_operations`` operations in a year URSSAF presumes abuse: a warning.

Each threshold is an amount in euros, the SMIC's share rounded half-up to the cent (in 2026:
273.45 €, 2,734.55 €, 182.30 €, 1,276.12 €, as french-rules.md lists them); a contribution is
computed from its slice and rounded once, to the cent. The yearly scale reads the SMIC in force on
1 January of the year (one figure for the year, known when the budget is set); a voucher
operation reads it on its day. The "45 % / 68 %" rates of one source article are in no official
text: they are not applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from relais.core.money import cents
from relais.core.params import legal_value

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Scale:
    """The thresholds in force on one day, in euros."""

    smic: Decimal
    exempt: Decimal  # yearly exempt slice's ceiling
    flat_ceiling: Decimal  # the flat contribution's slice ends here
    rate: Decimal  # the flat contribution, in percent
    voucher_exempt: Decimal
    voucher_ceiling: Decimal
    voucher_operations: int  # from this many voucher operations in a year: the warning


def scale_on(day: date) -> Scale:
    smic = legal_value("smic_monthly", day)

    def share(key: str) -> Decimal:
        return cents(smic * legal_value(key, day) / HUNDRED)

    return Scale(
        smic=smic,
        exempt=share("challenge_exempt_share"),
        flat_ceiling=share("challenge_flat_share"),
        rate=legal_value("challenge_flat_rate", day),
        voucher_exempt=share("voucher_exempt_share"),
        voucher_ceiling=share("voucher_flat_share"),
        voucher_operations=int(legal_value("voucher_abuse_operations", day)),
    )


def year_scale(year: int) -> Scale:
    return scale_on(date(year, 1, 1))


@dataclass(frozen=True)
class StaffSplit:
    """A person's yearly rewards cut into the L242-1-4 slices."""

    total: Decimal
    exempt: Decimal
    flat_base: Decimal
    contribution: Decimal  # due by the giver on ``flat_base``
    excess: Decimal  # ordinary contributions are due on it


def staff_split(*, total: Decimal, scale: Scale) -> StaffSplit:
    total = max(total, ZERO)
    exempt = min(total, scale.exempt)
    flat_base = min(total, scale.flat_ceiling) - exempt
    return StaffSplit(
        total=total,
        exempt=exempt,
        flat_base=flat_base,
        contribution=cents(flat_base * scale.rate / HUNDRED),
        excess=max(total - scale.flat_ceiling, ZERO),
    )


@dataclass(frozen=True)
class VoucherSplit:
    """One voucher operation under the voucher rule; ``general`` when it is above the rule's
    ceiling and counts in the yearly scale instead (then nothing is due here)."""

    value: Decimal
    exempt: Decimal
    flat_base: Decimal
    contribution: Decimal
    general: bool


def voucher_split(*, value: Decimal, scale: Scale) -> VoucherSplit:
    if value > scale.voucher_ceiling:
        return VoucherSplit(value, ZERO, ZERO, ZERO, general=True)
    exempt = min(value, scale.voucher_exempt)
    flat_base = value - exempt
    return VoucherSplit(
        value=value,
        exempt=exempt,
        flat_base=flat_base,
        contribution=cents(flat_base * scale.rate / HUNDRED),
        general=False,
    )


def voucher_warning(*, operations: int, scale: Scale) -> bool:
    """True from the operation URSSAF presumes abusive (the fifth in a year)."""
    return operations >= scale.voucher_operations
