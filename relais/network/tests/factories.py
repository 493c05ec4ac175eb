"""Accounts, people and relationships for the network's tests, through the services."""

from __future__ import annotations

import itertools
from typing import Any

from relais.accounts.choices import Role
from relais.accounts.models import User
from relais.network import services
from relais.network.models import Account, Contact, Relationship
from relais.testing.factories import UserFactory

_n = itertools.count(1)


def seller(**kwargs: Any) -> User:
    return UserFactory(role=Role.SALESPERSON, **kwargs)


def account(name: str | None = None, **data: Any) -> Account:
    return services.account_create(
        actor=None, data={"name": name or f"Cible {next(_n)}", "departement": "69", **data}
    )


def contact(at: Account, last_name: str | None = None, **data: Any) -> Contact:
    return services.contact_create(
        actor=None, account=at, data={"last_name": last_name or f"Martin{next(_n)}", **data}
    )


def knows(owner: User, person: Contact, **data: Any) -> Relationship:
    return services.relationship_record(
        owner=owner,
        contact=person,
        data={"strength": 3, "context": "customer", "visibility": "private", **data},
    )
