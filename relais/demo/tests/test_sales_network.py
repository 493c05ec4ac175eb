"""The demo's salespeople's network shows the feature off: the pilot team shares, the SME team
does not yet, a private relationship stays with its owner; a second run changes nothing."""

import pytest

from relais.accounts.models import User
from relais.demo.sales_network import seed_sales_network
from relais.network import selectors
from relais.network.models import Relationship

pytestmark = pytest.mark.django_db


def test_the_demo_network_follows_the_pilot_and_is_idempotent():
    seed_sales_network()
    seed_sales_network()
    assert Relationship.objects.count() == 10
    karim = User.objects.get(email="karim.haddad@relais.demo")
    sophie = User.objects.get(email="commercial@relais.demo")
    hits = selectors.who_knows(user=sophie, text="vernier")
    owners = {h.relationship.owner_name for h in hits}
    assert "Karim Haddad" in owners  # shared with the pilot team
    assert None in owners  # Lefèvre: on request, "someone — ask"
    # Élodie's team does not share yet: Sophie sees nothing of hers.
    assert selectors.who_knows(user=sophie, text="energies") == []
    assert not [
        h
        for h in selectors.who_knows(user=sophie, text="clinique")
        if h.relationship.owner_id == karim.pk
    ]
