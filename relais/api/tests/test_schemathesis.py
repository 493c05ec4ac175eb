"""The API against its own OpenAPI document (schemathesis): no server error, every answer's
status documented and its body as documented, for a staff token and for a partner's token.

The requests go through Django's WSGI handler in this process, on the test database."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from relais.accounts import services
from relais.accounts.choices import Role
from relais.accounts.models import ApiToken, User
from relais.testing.factories import PartnerFactory, UserFactory, partner_user

# Bounded and seeded: the same requests on every run.
CONFIG = {
    "seed": 20261202,
    "generation": {"max-examples": 20, "deterministic": True},
    "checks": {
        # A well-formed body may still break a rule no schema can carry (a SIRET's checksum, a
        # postcode's département, a move the lifecycle forbids): 422 or 409 in the error body.
        "positive_data_acceptance": {"expected-statuses": ["2xx", 401, 403, 404, 409, 422]},
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


def _give_token(user: User, raw: str) -> None:
    token, _made_up = services.api_token_create(user=user, name="schemathesis", scopes=["read", "write"])
    ApiToken.objects.filter(pk=token.pk).update(token_hash=services._sha256(raw))


@pytest.fixture
def staff_token(db: None) -> None:
    _give_token(UserFactory(role=Role.MANAGER), STAFF_TOKEN)


@pytest.fixture
def partner_token(db: None) -> None:
    _give_token(partner_user(PartnerFactory(reseller=True)), PARTNER_TOKEN)


# The fixtures are made once per operation, not per example: what the examples create stays
# in the test's transaction until the operation is done, as it would in the real database.
@staff_schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_keeps_to_its_schema_for_staff(case: Any, staff_token: None) -> None:
    case.call_and_validate()


@partner_schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_keeps_to_its_schema_for_a_partner(case: Any, partner_token: None) -> None:
    case.call_and_validate()
