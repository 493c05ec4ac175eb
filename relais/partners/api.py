"""``/api/v1/partners``: list, detail, create, update, scoped like the UI."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from relais.accounts.decorators import request_user
from relais.core.apischema import ERRORS, Pages
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


class PartnerPatch(Schema):
    kind: PartnerKind | None = None
    legal_form: LegalForm | None = None
    tax_regime: TaxRegime | None = None
    email: str | None = None
    postcode: str | None = None
    company_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    address_line: str | None = None
    city: str | None = None
    siren: str | None = None
    siret: str | None = None
    vat_number: str | None = None
    iban: str | None = None
    bic: str | None = None
    sector: str | None = None
    served_departements: list[str] | None = None


class PartnerFilters(Schema):
    q: str | None = None
    kind: PartnerKind | None = None
    status: PartnerStatus | None = None
    legal_form: LegalForm | None = None
    departement: str | None = None


def _get_partner_for_user(request: HttpRequest, partner_id: int) -> Partner:
    try:
        return selectors.partner_get_for_user(request_user(request), partner_id)
    except Partner.DoesNotExist:
        raise Http404 from None


def _require_manager(request: HttpRequest) -> None:
    if not request_user(request).can_manage:
        raise PermissionDenied(_("Only managers may change partners."))


@router.get("/partners", response=list[PartnerOut])
@paginate(Pages)
def list_partners(request: HttpRequest, filters: Query[PartnerFilters]):  # type: ignore[no-untyped-def]
    return selectors.partner_list(request_user(request), filters=filters.dict()).prefetch_related(
        "served_departements"
    )


@router.get("/partners/{partner_id}", response={200: PartnerOut, **ERRORS})
def get_partner(request: HttpRequest, partner_id: int) -> Partner:
    return _get_partner_for_user(request, partner_id)


@router.post("/partners", response={201: PartnerOut, **ERRORS})
def create_partner(request: HttpRequest, payload: PartnerIn) -> Status:
    _require_manager(request)
    data = payload.dict()
    served = data.pop("served_departements")
    partner, warnings = services.partner_create(
        data=data, served_departements=served, actor=request.user
    )
    partner.warnings = warnings  # type: ignore[attr-defined]
    return Status(201, partner)


@router.patch("/partners/{partner_id}", response={200: PartnerOut, **ERRORS})
def update_partner(request: HttpRequest, partner_id: int, payload: PartnerPatch) -> Partner:
    _require_manager(request)
    partner = _get_partner_for_user(request, partner_id)
    data = payload.dict(exclude_unset=True)
    served = data.pop("served_departements", None)
    partner, warnings = services.partner_update(
        partner=partner, data=data, served_departements=served
    )
    partner.warnings = warnings  # type: ignore[attr-defined]
    return partner


class TransitionIn(Schema):
    to: PartnerStatus
    reason: str = ""


@router.post("/partners/{partner_id}/transitions", response={200: PartnerOut, **ERRORS})
def transition_partner(request: HttpRequest, partner_id: int, payload: TransitionIn) -> Partner:
    """Move a partner along its lifecycle; an illegal move is a 409 naming the possible ones."""
    _require_manager(request)
    partner = _get_partner_for_user(request, partner_id)
    return services.partner_transition(
        partner=partner, to=payload.to, actor=request.user, reason=payload.reason
    )
