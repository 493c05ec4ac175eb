from django.db import models
from django.utils.translation import gettext_lazy as _


class RewardKind(models.TextChoices):
    CASH = "cash", _("Cash bonus")
    GIFT = "gift", _("Gift from the catalogue")
    VOUCHER = "voucher", _("Gift voucher")
    EXPERIENCE = "experience", _("Experience")


# What a catalogue item may be (cash is no item: it is an amount paid by the next payment run).
ITEM_KINDS = (RewardKind.GIFT, RewardKind.VOUCHER, RewardKind.EXPERIENCE)
# Gifts whose VAT the giver deducted: they count towards the 73 € cap on recoverable VAT.
VAT_GIFTS = (RewardKind.GIFT, RewardKind.EXPERIENCE)


class Regime(models.TextChoices):
    """How a beneficiary's rewards are treated: a reseller's staff member under CSS L242-1-4, an
    introducer as a benefit in kind declared in DAS2."""

    STAFF = "staff", _("Reseller's staff (CSS L242-1-4)")
    INTRODUCER = "introducer", _("Introducer (DAS2, benefit in kind)")
