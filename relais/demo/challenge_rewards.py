"""The demo's challenge rewards, in French: a small catalogue (a tasting box, a gift card, a chef
at home, a balloon flight); "Défi de l'hiver" (ended) rewarded and awarded — a cash bonus for the
first (a payable line for the next payment run), an experience for the second, a gift voucher for
the third, the tasting box for each of the three — so its rewards page shows the awards and their
French treatment; "Défi du printemps" (running) with its rewards and a budget, so its page shows
the cost projected from the progress. Through the services, and idempotent: a challenge that has
rewards is left as it is."""

from __future__ import annotations

from decimal import Decimal

from relais.accounts.models import User
from relais.challenges.models import Challenge, RewardItem
from relais.challenges.rewards import services
from relais.demo.challenges import MANAGER, SPRING, WINTER

CATALOGUE = [
    ("Coffret dégustation", "gift", "60.00", "50.00"),
    ("Carte cadeau 150 €", "voucher", "150.00", "150.00"),
    ("Chef à domicile", "experience", "480.00", "400.00"),
    ("Baptême en montgolfière", "experience", "290.00", "241.67"),
]


def _catalogue(manager: User | None) -> dict[str, RewardItem]:
    items = {i.name: i for i in RewardItem.objects.filter(name__in=[c[0] for c in CATALOGUE])}
    for name, kind, incl, excl in CATALOGUE:
        if name not in items:
            items[name] = services.reward_item_create(
                name=name, kind=kind, value_incl_vat=incl, value_excl_vat=excl, actor=manager
            )
    return items


def seed_challenge_rewards() -> None:
    manager = User.objects.filter(email=MANAGER).first()
    items = _catalogue(manager)
    winter = Challenge.objects.filter(name=WINTER).first()
    if winter is not None and not winter.rewards.exists():
        add = services.reward_add
        add(challenge=winter, kind="cash", amount=Decimal("300"), place=1, actor=manager)
        balloon, card = items["Baptême en montgolfière"], items["Carte cadeau 150 €"]
        add(challenge=winter, kind="experience", item=balloon, place=2, actor=manager)
        add(challenge=winter, kind="voucher", item=card, place=3, actor=manager)
        add(challenge=winter, kind="gift", item=items["Coffret dégustation"], actor=manager)
        services.budget_set(challenge=winter, amount=Decimal("1000"), actor=manager)
        if winter.status == "ended":
            services.rewards_award(challenge=winter, actor=manager)
    spring = Challenge.objects.filter(name=SPRING).first()
    if spring is not None and not spring.rewards.exists():
        services.reward_add(
            challenge=spring, kind="cash", amount=Decimal("150"), place=1, actor=manager
        )
        chef = items["Chef à domicile"]
        services.reward_add(challenge=spring, kind="experience", item=chef, place=2, actor=manager)
        services.reward_add(
            challenge=spring, kind="gift", item=items["Coffret dégustation"], actor=manager
        )
        services.budget_set(challenge=spring, amount=Decimal("1500"), actor=manager)
