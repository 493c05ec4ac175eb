"""The API against its own OpenAPI document (schemathesis): no server error, every answer's
status documented and its body as documented, for a staff token and for a partner's token.

The requests go through Django's WSGI handler in this process, on the test database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from relais.accounts import services
from relais.accounts.choices import Role
from relais.accounts.models import ApiToken, User
from relais.leads.models import Lead
from relais.leads.services import lead_submit, lead_transition
from relais.partners.models import Partner
from relais.routing.models import ResellerProfile
from relais.routing.services import lead_route
from relais.testing.factories import PartnerFactory, UserFactory, partner_user

# Bounded and seeded: the same requests on every run.
CONFIG = {
    "seed": 20261202,
    "generation": {"max-examples": 20, "deterministic": True},
    "checks": {
        # A well-formed request may still break a rule no schema can carry (a SIRET's checksum,
        # a postcode's département, a reason that an end needs, a move the lifecycle forbids):
        # 400, 409 or 422, in the error body the schema documents for each.
        "positive_data_acceptance": {"expected-statuses": ["2xx", 400, 401, 403, 404, 409, 422]},
    },
}
# Schemathesis sets the token on the cases it builds while collecting, before any test
# database exists: each caller's token has a fixed value, given to its user by its fixture.
STAFF_TOKEN = "rls_schemathesis-staff"
PARTNER_TOKEN = "rls_schemathesis-partner"


def _schema_with_token(raw: str) -> Any:
    loaded = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", get_wsgi_application(), config=schemathesis.Config.from_dict(CONFIG)
    )

    @loaded.auth(refresh_interval=None)
    class Bearer:
        def get(self, case: Any, context: Any) -> str:
            return raw

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    return loaded


staff_schema = _schema_with_token(STAFF_TOKEN)
partner_schema = _schema_with_token(PARTNER_TOKEN)


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """As Django's test client does: the WSGI handler would close the connection at the end
    of each request (it sits in the test's transaction, so it looks unusable), and PostgreSQL
    would lose the test's data with it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _give_token(user: User, raw: str) -> None:
    token, _made_up = services.api_token_create(
        user=user, name="schemathesis", scopes=["read", "write"]
    )
    ApiToken.objects.filter(pk=token.pk).update(token_hash=services._sha256(raw))


def _assigned_lead(reseller: Partner, manager: User) -> Lead:
    reseller.served_departements.set(["69"])
    ResellerProfile.objects.get_or_create(partner=reseller)
    lead = lead_submit(
        data={"last_name": "Rivière", "phone": "0611000001", "postcode": "69003"}, channel="staff"
    )
    lead_transition(lead=lead, to="qualified", actor=manager)
    lead_route(lead_id=lead.pk)
    return lead


@pytest.fixture
def staff_world(db: None) -> dict[str, int]:
    """A manager's token, and a partner and its lead to read and change."""
    _give_token(UserFactory(role=Role.MANAGER), STAFF_TOKEN)
    partner = PartnerFactory()
    lead = lead_submit(
        data={"last_name": "Martin", "email": "m@orange.fr", "postcode": "69003"},
        channel="api",
        partner=partner,
    )
    return {"partner_id": partner.pk, "lead_id": lead.pk}


@pytest.fixture
def partner_world(db: None) -> dict[str, int]:
    """A reseller's token, its own partner record, and a lead assigned to it."""
    reseller = PartnerFactory(reseller=True)
    _give_token(partner_user(reseller), PARTNER_TOKEN)
    lead = _assigned_lead(reseller, UserFactory(role=Role.MANAGER))
    return {"partner_id": reseller.pk, "lead_id": lead.pk}


def _aim_at_real_objects(case: Any, ids: dict[str, int]) -> None:
    """A drawn id almost never exists (a 404 every time): every other case, by the parity of
    the id drawn, goes to an object of the caller's world instead."""
    for name, value in (case.path_parameters or {}).items():
        if name in ids and isinstance(value, int) and value % 2 == 0:
            case.path_parameters[name] = ids[name]


# The fixtures are made once per operation, not per example: what the examples create stays
# in the test's transaction until the operation is done, as it would in the real database.
@staff_schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_keeps_to_its_schema_for_staff(case: Any, staff_world: dict[str, int]) -> None:
    _aim_at_real_objects(case, staff_world)
    case.call_and_validate()


@partner_schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_keeps_to_its_schema_for_a_partner(
    case: Any, partner_world: dict[str, int]
) -> None:
    _aim_at_real_objects(case, partner_world)
    case.call_and_validate()
