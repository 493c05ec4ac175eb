"""``/api/v1/network``: accounts, their people, relationships and "who knows someone at X", for
staff tokens only, through the same selectors as the pages: a private relationship of someone
else's is a 404 for every token (a manager's too), an "on request" one comes without its owner.
Mounted in ``relais/api/api.py``."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from relais.accounts.decorators import request_user
from relais.accounts.models import User
from relais.core.apischema import ERRORS, Pages, RecordId
from relais.network import selectors, services
from relais.network.choices import ContactLevel, RelationshipContext, Visibility
from relais.network.models import Account, Contact

router = Router(tags=["network"])


def _staff(request: HttpRequest) -> User:
    user = request_user(request)
    if not user.is_staff_member:
        raise PermissionDenied(_("Only staff reach the salespeople's network."))
    return user


class AccountOut(Schema):
    id: int
    name: str
    siren: str
    sector: str
    departement: str | None = Field(None, alias="departement_id")
    city: str
    website: str
    partner_id: int | None


class AccountIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    siren: str = Field("", max_length=20)
    sector: str = Field("", max_length=120)
    departement: str = Field("", max_length=3)
    city: str = Field("", max_length=100)
    website: str = Field("", max_length=200)


class AccountFilters(Schema):
    q: str = Field("", max_length=200, description="Part of the company's name.")
    sector: str = Field("", max_length=120)
    departement: str = Field("", max_length=3)


class ContactOut(Schema):
    id: int
    account_id: int
    first_name: str
    last_name: str
    title: str
    level: str
    email: str
    phone: str
    linkedin_url: str
    objected: bool = Field(description="The person objected: shared with nobody.")

    @staticmethod
    def resolve_objected(obj: Contact) -> bool:
        return obj.objected_at is not None


class ContactIn(Schema):
    first_name: str = Field("", max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    title: str = Field("", max_length=150)
    level: ContactLevel = ContactLevel.UNKNOWN
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=30)
    linkedin_url: str = Field("", max_length=200)


class RelationshipOut(Schema):
    id: int
    contact_id: int
    account_id: int
    owner_id: int | None = Field(description="None: someone knows them — ask (on request).")
    owner_name: str | None
    strength: int = Field(description="The stored strength, 1–5.")
    shown_strength: int = Field(description="Faded by one step when the last interaction is old.")
    faded: bool
    context: str | None
    last_interaction: date | None
    visibility: Visibility
    exclusive_until: date | None
    mine: bool


class RelationshipIn(Schema):
    contact_id: RecordId
    strength: int = Field(
        description="1 met once, 2 acquaintance, 3 know each other well, 4 trusted, "
        "5 close (would take my call)."
    )
    context: RelationshipContext
    context_note: str = Field("", max_length=200)
    last_interaction: date | None = None
    visibility: Visibility = Visibility.PRIVATE
    exclusive_until: date | None = None


class HitOut(Schema):
    account: AccountOut
    contact: ContactOut
    relationship: RelationshipOut


class PersonOut(Schema):
    contact: ContactOut
    known: list[RelationshipOut]


class AccountMapOut(Schema):
    account: AccountOut
    people: list[PersonOut]


def _rel(r: selectors.SeenRelationship) -> dict[str, Any]:
    return {
        "id": r.pk,
        "contact_id": r.contact_id,
        "account_id": r.account_id,
        "owner_id": r.owner_id,
        "owner_name": r.owner_name,
        "strength": r.strength,
        "shown_strength": r.shown_strength,
        "faded": r.faded,
        "context": r.context,
        "last_interaction": r.last_interaction,
        "visibility": r.visibility,
        "exclusive_until": r.exclusive_until,
        "mine": r.mine,
    }


@router.get("/network/accounts", response={200: list[AccountOut], **ERRORS})
@paginate(Pages)
def list_accounts(request: HttpRequest, filters: Query[AccountFilters]) -> QuerySet[Account]:
    _staff(request)
    return selectors.accounts_list(
        text=filters.q, sector=filters.sector, departement=filters.departement
    )


@router.post("/network/accounts", response={201: AccountOut, **ERRORS})
def create_account(request: HttpRequest, payload: AccountIn) -> Status:
    """A duplicate (same SIREN, or same name in the département) is a 409 naming the field."""
    user = _staff(request)
    return Status(201, services.account_create(actor=user, data=payload.dict()))


@router.get("/network/accounts/{account_id}", response={200: AccountMapOut, **ERRORS})
def get_account(request: HttpRequest, account_id: RecordId) -> dict[str, Any]:
    """The account's people with the relationships the token's user may see (its map)."""
    user = _staff(request)
    account = selectors.account_for_user(user, account_id)
    people = selectors.account_map(user=user, account=account)
    return {
        "account": account,
        "people": [{"contact": p.contact, "known": [_rel(r) for r in p.known]} for p in people],
    }


@router.post("/network/accounts/{account_id}/contacts", response={201: ContactOut, **ERRORS})
def create_contact(request: HttpRequest, account_id: RecordId, payload: ContactIn) -> Status:
    user = _staff(request)
    account = selectors.account_for_user(user, account_id)
    return Status(201, services.contact_create(actor=user, account=account, data=payload.dict()))


@router.get("/network/who-knows", response={200: list[HitOut], **ERRORS})
def who_knows(request: HttpRequest, filters: Query[AccountFilters]) -> list[dict[str, Any]]:
    """Who knows someone at X (company or person name, sector, département): at most 50,
    strongest first, then the most recent interaction."""
    user = _staff(request)
    hits = selectors.who_knows(
        user=user, text=filters.q, sector=filters.sector, departement=filters.departement
    )
    return [
        {"account": h.account, "contact": h.contact, "relationship": _rel(h.relationship)}
        for h in hits
    ]


@router.get("/network/relationships", response={200: list[RelationshipOut], **ERRORS})
@paginate(Pages)
def my_relationships(request: HttpRequest) -> list[dict[str, Any]]:
    """The token's user's own relationships."""
    user = _staff(request)
    cutoff = selectors.fade_before()
    return [_rel(selectors.seen(r, user, cutoff)) for r in selectors.relationships_of_owner(user)]


@router.post("/network/relationships", response={200: RelationshipOut, **ERRORS})
def record_relationship(request: HttpRequest, payload: RelationshipIn) -> dict[str, Any]:
    """Record or update (one per person: a retry changes nothing) that the user knows someone.
    A strength outside 1–5 is a 400 naming ``strength``."""
    user = _staff(request)
    person = selectors.contact_for_user(user, payload.contact_id)
    data = payload.dict(exclude={"contact_id"})
    rel = services.relationship_record(owner=user, contact=person, data=data)
    rel.owner = user
    return _rel(selectors.seen(rel, user))


@router.get("/network/relationships/{relationship_id}", response={200: RelationshipOut, **ERRORS})
def get_relationship(request: HttpRequest, relationship_id: RecordId) -> dict[str, Any]:
    """A relationship the user may see; someone else's private one is a 404, id guessed or not."""
    user = _staff(request)
    _model, seen = selectors.relationship_for_user(user, relationship_id)
    return _rel(seen)


@router.delete("/network/relationships/{relationship_id}", response={204: None, **ERRORS})
def delete_relationship(request: HttpRequest, relationship_id: RecordId) -> Status:
    """Its owner only; anyone else gets a 404."""
    user = _staff(request)
    services.relationship_delete(
        relationship=selectors.relationship_of_owner(user, relationship_id)
    )
    return Status(204, None)
