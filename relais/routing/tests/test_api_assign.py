"""``/api/v1/routing/``: the managers' unassigned queue and their assignment by hand, through
the assignment page's form and service; nobody else's."""

import pytest

from relais.leads.models import Lead
from relais.routing import services
from relais.routing.tests.conftest import make_qualified, make_reseller
from relais.testing.factories import partner_user

pytestmark = pytest.mark.django_db


def test_a_lead_no_one_could_take_is_queued_then_assigned_by_hand(api_client, manager):
    lead = make_qualified(manager, 1)
    services.lead_route(lead_id=lead.pk)  # no reseller serves 69 yet: unassigned
    reseller = make_reseller(capacity=0)  # full: only a manager gives it more
    api = api_client(manager)

    (queued,) = api.get("/api/v1/routing/unassigned").json()["items"]
    made = api.post(
        f"/api/v1/routing/leads/{lead.pk}/assign",
        {"reseller_id": reseller.pk, "reason": "Client historique"},
        content_type="application/json",
    )

    assert queued["id"] == lead.pk
    assert made.status_code == 201
    assert made.json()["reseller_id"] == reseller.pk
    assert Lead.objects.get(pk=lead.pk).assigned_reseller_id == reseller.pk
    assert api.get("/api/v1/routing/unassigned").json()["items"] == []


def test_bad_choices_are_a_422_naming_the_field(api_client, manager):
    lead = make_qualified(manager, 2)
    api = api_client(manager)
    nobody = api.post(
        f"/api/v1/routing/leads/{lead.pk}/assign",
        {"reason": "Essai"},
        content_type="application/json",
    )
    unknown = api.post(
        f"/api/v1/routing/leads/{lead.pk}/assign",
        {"reseller_id": 987654, "reason": "Essai"},
        content_type="application/json",
    )
    assert nobody.status_code == unknown.status_code == 422
    assert list(nobody.json()["error"]["fields"]) == ["body"]
    assert "reseller_id" in unknown.json()["error"]["fields"]


def test_a_reseller_may_not_assign_nor_read_the_queue(api_client, manager):
    reseller = make_reseller()
    lead = make_qualified(manager, 3)
    api = api_client(partner_user(reseller))
    assert api.get("/api/v1/routing/unassigned").status_code == 403
    made = api.post(
        f"/api/v1/routing/leads/{lead.pk}/assign",
        {"reseller_id": reseller.pk, "reason": "Moi"},
        content_type="application/json",
    )
    assert made.status_code == 403
