"""What a user may see of the network, decided here and nowhere else.

A relationship is seen by its owner in full. Anyone else (a manager too) sees it only when the
owner chose so and sharing is on for both of them:

- ``private``: the owner only, not even a manager;
- ``on_request``: that *someone* knows this person, and how well, so a colleague may ask for an
  introduction; never who (nor the context or dates, which would tell who);
- ``shared``: who knows them, how well, how and since when.

Sharing is switched on team by team (``NetworkTeam.sharing_enabled``): a salesperson in teams
that all have it off neither shows their relationships nor sees colleagues'. A salesperson in no
team follows ``RELAIS_NETWORK_SHARING_WITHOUT_TEAM``. A contact who objected is shown to the
owners of its relationships only.

Accounts and contacts are company data: every staff member reaches them (``account_for_user``,
``contact_for_user``); the relationships are what is scoped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Case, F, IntegerField, Q, QuerySet, When
from django.http import Http404
from django.utils import timezone

from relais.accounts.choices import STAFF_ROLES
from relais.accounts.models import User
from relais.leads.normalise import company_key
from relais.network.choices import Strength, Visibility
from relais.network.models import Account, Contact, NetworkTeam, Relationship

SEARCH_LIMIT = 50
MATCHES = 200  # accounts and people a search looks at, at most


def _name_prefix_q(key: str) -> Q:
    """Names whose key starts with ``key``, as a filter a B-tree index serves on both engines:
    a LIKE 'key%' alone reads none on SQLite (its LIKE ignores case) nor on PostgreSQL outside
    the C collation, a range does. A key is ASCII letters, digits and spaces (``company_key``),
    ending with a letter or digit: every key starting with it sorts in [key, key with its last
    character one up), bytewise or by a language's collation; the LIKE keeps the answer exact.
    """
    q = Q(name_key__startswith=key)
    last = key[-1]
    if last not in "z9":
        q &= Q(name_key__gte=key, name_key__lt=key[:-1] + chr(ord(last) + 1))
    return q


def fade_before(today: date | None = None) -> date:
    """Last interactions before this day show a faded strength."""
    return (today or timezone.localdate()) - timedelta(days=settings.RELAIS_NETWORK_FADE_AFTER_DAYS)


def sharing_off_user_ids() -> set[int]:
    """Users whose relationships stay with them and who see no colleague's: members of teams
    only with sharing off (and, when the setting says so, staff in no team at all)."""
    on = set(NetworkTeam.objects.filter(sharing_enabled=True).values_list("members__id", flat=True))
    off = set(
        NetworkTeam.objects.filter(sharing_enabled=False).values_list("members__id", flat=True)
    )
    off = {pk for pk in off - on if pk is not None}
    if not settings.RELAIS_NETWORK_SHARING_WITHOUT_TEAM:
        in_team = on | off
        off |= set(
            User.objects.filter(role__in=STAFF_ROLES)
            .exclude(pk__in=in_team)
            .values_list("pk", flat=True)
        )
    return off


def sharing_on_for(user: User) -> bool:
    return user.pk not in sharing_off_user_ids()


def visible_q(user: User, off: set[int] | None = None) -> Q:
    """The relationships ``user`` may know of, as a filter (see the module's rules)."""
    off = sharing_off_user_ids() if off is None else off
    mine = Q(owner_id=user.pk)
    if user.pk in off:
        return mine
    others = Q(
        visibility__in=[Visibility.SHARED, Visibility.ON_REQUEST],
        contact__objected_at__isnull=True,
    ) & ~Q(owner_id__in=off or [0])
    return mine | others


def relationships_visible(user: User, off: set[int] | None = None) -> QuerySet[Relationship]:
    """``off``: ``sharing_off_user_ids()`` when the caller has it already (one per request)."""
    return Relationship.objects.filter(visible_q(user, off))


@dataclass(frozen=True)
class SeenRelationship:
    """A relationship as ``user`` may see it: ``owner`` and ``context`` are None when it is
    "on request" and not theirs. ``shown_strength`` is the strength faded by an old last
    interaction (one step down, never below 1); ``strength`` is the stored value."""

    pk: int
    contact_id: int
    account_id: int
    owner_id: int | None
    owner_name: str | None
    strength: int
    shown_strength: int
    faded: bool
    context: str | None
    context_label: str | None
    last_interaction: date | None
    visibility: str
    exclusive_until: date | None
    mine: bool

    @property
    def ask(self) -> bool:
        """Colleagues see that someone knows the person, not who: they may ask."""
        return self.owner_id is None

    @property
    def exclusive(self) -> bool:
        return self.exclusive_until is not None and self.exclusive_until >= timezone.localdate()


def seen(rel: Relationship, user: User, cutoff: date | None = None) -> SeenRelationship:
    """What ``user`` sees of a relationship already known to be visible to them."""
    cutoff = cutoff or fade_before()
    mine = rel.owner_id == user.pk
    hidden = not mine and rel.visibility == Visibility.ON_REQUEST
    faded = rel.last_interaction is not None and rel.last_interaction < cutoff
    return SeenRelationship(
        pk=rel.pk,
        contact_id=rel.contact_id,
        account_id=rel.account_id,
        owner_id=None if hidden else rel.owner_id,
        owner_name=None if hidden else str(rel.owner),
        strength=rel.strength,
        shown_strength=max(1, rel.strength - 1) if faded else rel.strength,
        faded=faded,
        context=None if hidden else rel.context,
        context_label=None if hidden else rel.get_context_display(),
        last_interaction=None if hidden else rel.last_interaction,
        visibility=rel.visibility,
        exclusive_until=rel.exclusive_until,
        mine=mine,
    )


def _ranked(qs: QuerySet[Relationship], cutoff: date) -> QuerySet[Relationship]:
    """Strongest first (as shown: faded ones a step down), then the most recent interaction."""
    shown = Case(
        When(last_interaction__lt=cutoff, strength__gt=1, then=F("strength") - 1),
        default=F("strength"),
        output_field=IntegerField(),
    )
    return qs.annotate(shown=shown).order_by(
        "-shown", F("last_interaction").desc(nulls_last=True), "pk"
    )


@dataclass(frozen=True)
class SearchHit:
    relationship: SeenRelationship
    contact: Contact
    account: Account


def who_knows(
    *,
    user: User,
    text: str = "",
    sector: str = "",
    departement: str = "",
    account: Account | None = None,
    limit: int = SEARCH_LIMIT,
    off: set[int] | None = None,
) -> list[SearchHit]:
    """ "Who knows someone at X": the relationships ``user`` may see whose account matches (name,
    sector, département) or whose person matches by name, ranked by strength then recency.
    ``off``: ``sharing_off_user_ids()`` when the caller computed it already."""
    cutoff = fade_before()
    qs = relationships_visible(user, off).filter(contact__anonymised_at__isnull=True)
    if account is not None:
        qs = qs.filter(account=account)
    key = company_key(text)
    if key:
        # The matching accounts (a scan of 10,000 names is quick) and, alongside them, the
        # people whose name starts with the text (a range over the name_key B-tree index, on
        # both engines: "claire", "claire durand"); only when neither answers, the people whose
        # name holds it anywhere (a scan of 100,000: "durand"). Then their relationships through
        # the (account, …) or (contact, …) index. An OR of two subqueries made the databases
        # walk every relationship (85 ms at 300,000).
        accounts = list(
            Account.objects.filter(name_key__contains=key)
            .order_by()
            .values_list("pk", flat=True)[:MATCHES]
        )
        people = list(
            Contact.objects.filter(_name_prefix_q(key))
            .order_by()
            .values_list("pk", flat=True)[:MATCHES]
        )
        if not accounts and not people:
            people = list(
                Contact.objects.filter(name_key__contains=key)
                .order_by()
                .values_list("pk", flat=True)[:MATCHES]
            )
        if not accounts and not people:
            return []
        qs = qs.filter(Q(account_id__in=accounts) | Q(contact_id__in=people))
    if sector:
        qs = qs.filter(account__sector_key=company_key(sector))
    if departement:
        qs = qs.filter(account__departement_id=departement)
    rows = _ranked(qs, cutoff).select_related("owner", "contact", "account")[:limit]
    return [SearchHit(seen(r, user, cutoff), r.contact, r.account) for r in rows]


@dataclass(frozen=True)
class MapPerson:
    contact: Contact
    known: list[SeenRelationship]

    @property
    def best(self) -> int:
        return max((k.shown_strength for k in self.known), default=0)


def account_map(*, user: User, account: Account) -> list[MapPerson]:
    """The account's people (not anonymised; an objecting one only if ``user`` knows them) with
    the relationships ``user`` may see, strongest first, for the relationship map."""
    cutoff = fade_before()
    people = list(
        account.contacts.filter(anonymised_at__isnull=True).order_by("level", "last_name", "pk")
    )
    rels = _ranked(relationships_visible(user).filter(account=account), cutoff).select_related(
        "owner"
    )
    known: dict[int, list[SeenRelationship]] = {}
    for rel in rels:
        known.setdefault(rel.contact_id, []).append(seen(rel, user, cutoff))
    return [
        MapPerson(p, known.get(p.pk, [])) for p in people if p.objected_at is None or p.pk in known
    ]


def account_for_user(user: User, pk: int) -> Account:
    """Every staff member reaches every account (company data); others get a 404."""
    if not user.is_staff_member:
        raise Http404
    try:
        return Account.objects.select_related("departement", "partner").get(pk=pk)
    except Account.DoesNotExist:
        raise Http404 from None


def contact_for_user(user: User, pk: int) -> Contact:
    if not user.is_staff_member:
        raise Http404
    try:
        return Contact.objects.select_related("account").get(pk=pk, anonymised_at__isnull=True)
    except Contact.DoesNotExist:
        raise Http404 from None


def relationship_of_owner(user: User, pk: int) -> Relationship:
    """A relationship its owner edits: anyone else gets a 404, as if it did not exist."""
    try:
        return Relationship.objects.select_related("contact", "account").get(pk=pk, owner=user)
    except Relationship.DoesNotExist:
        raise Http404 from None


def relationship_for_user(user: User, pk: int) -> tuple[Relationship, SeenRelationship]:
    """A relationship ``user`` may see (to ask for an introduction through it, say): a private
    one of someone else's, or one hidden by the sharing switch, is a 404 — its id guessed or not.
    The model instance is for services; show only the ``SeenRelationship``."""
    if not user.is_staff_member:
        raise Http404
    try:
        rel = (
            relationships_visible(user)
            .select_related("owner", "contact", "account")
            .get(pk=pk, contact__anonymised_at__isnull=True)
        )
    except Relationship.DoesNotExist:
        raise Http404 from None
    return rel, seen(rel, user)


def relationships_of_owner(user: User) -> QuerySet[Relationship]:
    """The user's own address book, most recent interaction first."""
    return (
        Relationship.objects.filter(owner=user)
        .select_related("contact", "account")
        .order_by(F("last_interaction").desc(nulls_last=True), "pk")
    )


def accounts_list(*, text: str = "", sector: str = "", departement: str = "") -> QuerySet[Account]:
    qs = Account.objects.select_related("departement")
    key = company_key(text)
    if key:
        qs = qs.filter(name_key__contains=key)
    if sector:
        qs = qs.filter(sector_key=company_key(sector))
    if departement:
        qs = qs.filter(departement_id=departement)
    return qs.order_by("name_key", "pk")


def sectors() -> list[str]:
    """The sectors in use, for the search's list."""
    return list(
        Account.objects.exclude(sector="")
        .order_by("sector_key")
        .values_list("sector", flat=True)
        .distinct()[:200]
    )


def strength_scale() -> list[tuple[int, str]]:
    """The 1–5 scale, shown wherever a strength is entered."""
    return [(int(v), str(label)) for v, label in Strength.choices]
