"""The REST API, ``/api/v1/``: mounts each app's router; auth, errors and schema live here."""

from django.http import HttpRequest
from ninja import NinjaAPI, Schema

from relais.accounts.models import ApiToken, User
from relais.api import errors
from relais.api.auth import TokenAuth
from relais.challenges.api import router as challenges_router
from relais.commissions.api import router as commissions_router
from relais.core.apischema import ERRORS
from relais.engagement.api import router as engagement_router
from relais.integrations.api import install_webhook_docs
from relais.integrations.api import router as integrations_router
from relais.integrations.crm_api import router as crm_router
from relais.leads.api import router as leads_router
from relais.network.api import router as network_router
from relais.network.work_api import router as network_work_router
from relais.partners.api import router as partners_router
from relais.partners.selectors import partner_for_user
from relais.routing.api import router as routing_router
from relais.surveys.api import router as surveys_router
from relais.training.api import router as training_router

api = NinjaAPI(
    title="Relais API",
    version="1",
    description=(
        "Partners, leads, statuses and commissions. Authenticate with "
        "`Authorization: Bearer <token>`; tokens carry the scopes `read` and `write`. "
        'Every error has the body `{"error": {"code", "message", "fields"}}`.'
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
errors.install(api)


class PartnerRef(Schema):
    id: int
    display_name: str
    kind: str


class MeOut(Schema):
    id: int
    email: str
    name: str
    role: str
    scopes: list[str]
    partner: PartnerRef | None


@api.get("/me", response={200: MeOut, **ERRORS}, tags=["accounts"])
def me(request: HttpRequest) -> dict[str, object]:
    user, token = request.user, getattr(request, "auth", None)
    assert isinstance(user, User)
    assert isinstance(token, ApiToken)
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.get_full_name(),
        "role": user.role,
        "scopes": token.scopes,
        "partner": partner_for_user(user),
    }


api.add_router("/", partners_router)
api.add_router("/", leads_router)
api.add_router("/", routing_router)
api.add_router("/", commissions_router)
api.add_router("/", engagement_router)
api.add_router("/", training_router)
api.add_router("/", integrations_router)
install_webhook_docs(api)
api.add_router("/", crm_router)
api.add_router("/", surveys_router)
api.add_router("/", challenges_router)
api.add_router("/", network_router)
api.add_router("/", network_work_router)
