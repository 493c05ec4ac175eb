"""``/api/v1/partners``: list, detail, create, update, scoped like the UI."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import BaseModel

from relais.accounts.decorators import request_user
from relais.core.apischema import ERRORS, Pages, RecordId, omissible
from relais.partners import selectors, services
from relais.partners.choices import LegalForm, PartnerKind, PartnerStatus, TaxRegime
from relais.partners.models import Partner

router = Router(tags=["partners"])


class PartnerOut(Schema):
    id: int
    kind: PartnerKind
    legal_form: LegalForm
    status: PartnerStatus
    display_name: str
    company_name: str
    first_name: str
    last_name: str
    email: str
    phone: str
    address_line: str
    postcode: str
    city: str
    departement: str
    siren: str
    siret: str
    vat_number: str
    iban: str
    bic: str
    tax_regime: TaxRegime
    sector: str
    referral_code: str
    served_departements: list[str]
    warnings: list[str] = []

    @staticmethod
    def resolve_departement(obj: Partner) -> str:
        return obj.departement_id

    @staticmethod
    def resolve_served_departements(obj: Partner) -> list[str]:
        return [d.code for d in obj.served_departements.all()]


class PartnerIn(Schema):
    kind: PartnerKind
    legal_form: LegalForm
    tax_regime: TaxRegime
    email: str
    postcode: str
    company_name: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    address_line: str = ""
    city: str = ""
    siren: str = ""
    siret: str = ""
    vat_number: str = ""
    iban: str = ""
    bic: str = ""
    sector: str = ""
    served_departements: list[str] = []


_CLEARS = 'null or "" clears it.'


class PartnerPatch(BaseModel):
    """Only the fields sent change. A field the partner may lack takes null to clear it; a
    field it must have takes no null (a 422 naming it). A plain pydantic model, not ninja's
    Schema: Schema reads any value as an object's attributes, so a body that is not a JSON
    object (``[null, null]``) would pass as "nothing to change" instead of a 422."""

    kind: PartnerKind = omissible()
    legal_form: LegalForm = omissible()
    tax_regime: TaxRegime = omissible()
    email: str = omissible()
    postcode: str = omissible()
    company_name: str | None = Field(None, description=_CLEARS)
    first_name: str | None = Field(None, description=_CLEARS)
    last_name: str | None = Field(None, description=_CLEARS)
    phone: str | None = Field(None, description=_CLEARS)
    address_line: str | None = Field(None, description=_CLEARS)
    city: str | None = Field(None, description=_CLEARS)
    siren: str | None = Field(None, description=_CLEARS)
    siret: str | None = Field(None, description=_CLEARS)
    vat_number: str | None = Field(None, description=_CLEARS)
    iban: str | None = Field(None, description=_CLEARS)
    bic: str | None = Field(None, description=_CLEARS)
    sector: str | None = Field(None, description=_CLEARS)
    served_departements: list[str] | None = Field(
        None, description="Resellers only; null or [] clears it."
    )


class PartnerFilters(Schema):
    q: str | None = None
    kind: PartnerKind | None = None
    status: PartnerStatus | None = None
    legal_form: LegalForm | None = None
    departement: str | None = None


def _get_partner_for_user(request: HttpRequest, partner_id: RecordId) -> Partner:
    try:
        return selectors.partner_get_for_user(request_user(request), partner_id)
    except Partner.DoesNotExist:
        raise Http404 from None


def _require_manager(request: HttpRequest) -> None:
    if not request_user(request).can_manage:
        raise PermissionDenied(_("Only managers may change partners."))


@router.get("/partners", response={200: list[PartnerOut], **ERRORS})
@paginate(Pages)
def list_partners(request: HttpRequest, filters: Query[PartnerFilters]):  # type: ignore[no-untyped-def]
    return selectors.partner_list(request_user(request), filters=filters.dict()).prefetch_related(
        "served_departements"
    )


@router.get("/partners/{partner_id}", response={200: PartnerOut, **ERRORS})
def get_partner(request: HttpRequest, partner_id: RecordId) -> Partner:
    return _get_partner_for_user(request, partner_id)


@router.post("/partners", response={201: PartnerOut, **ERRORS})
def create_partner(request: HttpRequest, payload: PartnerIn) -> Status:
    _require_manager(request)
    data = payload.dict()
    served = data.pop("served_departements")
    partner, warnings = services.partner_create(
        data=data, served_departements=served, actor=request_user(request)
    )
    partner.warnings = warnings  # type: ignore[attr-defined]
    return Status(201, partner)


@router.patch("/partners/{partner_id}", response={200: PartnerOut, **ERRORS})
def update_partner(request: HttpRequest, partner_id: RecordId, payload: PartnerPatch) -> Partner:
    _require_manager(request)
    partner = _get_partner_for_user(request, partner_id)
    data = payload.model_dump(exclude_unset=True)
    served = None  # left out: the served départements stay as they are
    if "served_departements" in data:
        served = data.pop("served_departements") or []  # null clears them, as [] does
    partner, warnings = services.partner_update(
        partner=partner, data=data, served_departements=served
    )
    partner.warnings = warnings  # type: ignore[attr-defined]
    return partner


class PartnerTransitionIn(Schema):
    to: PartnerStatus
    reason: str = ""


@router.post("/partners/{partner_id}/transitions", response={200: PartnerOut, **ERRORS})
def transition_partner(
    request: HttpRequest, partner_id: RecordId, payload: PartnerTransitionIn
) -> Partner:
    """Move a partner along its lifecycle; an illegal move is a 409 naming the possible ones."""
    _require_manager(request)
    partner = _get_partner_for_user(request, partner_id)
    return services.partner_transition(
        partner=partner, to=payload.to, actor=request_user(request), reason=payload.reason
    )
