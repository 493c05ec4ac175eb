"""How a submission is judged: validation, and the duplicate / conflict / self-referral /
suppression decision — one code path for a single lead and for a batch of a thousand.

``services.leads_submit`` holds the transaction and does the writes; what is decided here reads
the rows it is given (the prospect keys it locked, each with whether it is suppressed, and the
earlier leads they point to) and never queries per lead, so a batch costs a fixed number of queries.
The prospect keys it locks and points go through the fast path (``leads.bulk``), for one lead
too (measured: ``leads.bulk.INTAKE_ALWAYS``); their ORM twins here store the same rows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.db.models import Exists, OuterRef, Q
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from relais.bulk import is_batch
from relais.core.forms import field_errors
from relais.core.money import cents
from relais.core.textcheck import character_errors, length_errors, max_chars
from relais.leads import bulk
from relais.leads.choices import KeyKind, LeadStatus, RejectionReason, ReviewReason
from relais.leads.models import Lead, ProductCategory, ProspectKey, Suppression
from relais.leads.normalise import (
    PUBLIC_DOMAINS,
    TEXT_FIELDS,
    email_domain,
    normalise,
    prospect_keys,
)
from relais.partners.models import Partner

Key = tuple[str, str]


@dataclass
class Submission:
    """One lead to submit: the raw fields and who passes it on."""

    data: dict[str, Any]
    partner: Partner | None = None
    salesperson: Any = None
    consent_marketing: bool = False
    consent_phone: bool = False


@dataclass
class Planned:
    """A valid submission and what was decided for it, before anything is written."""

    lead: Lead
    claims: list[Key] = field(default_factory=list)


def protection_window() -> timedelta:
    return timedelta(days=settings.RELAIS_LEAD_PROTECTION_DAYS)


def category_key(value: Any) -> str:
    """How a product is matched: without case, accents or punctuation, so that its code
    (``pompe-a-chaleur``) and its name as the app shows it (``Pompe à chaleur``, ``POMPE A
    CHALEUR``) name the same product."""
    text = unicodedata.normalize("NFKD", str(value or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.split(r"[\W_]+", text)).strip()


def active_categories() -> dict[str, ProductCategory]:
    """The active products by ``category_key`` of their code and of their name in each language
    the app speaks (an import or an API call names a product as people read it); a code wins
    over another product's name."""
    categories = list(ProductCategory.objects.filter(active=True))
    found: dict[str, ProductCategory] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for category in categories:
                found.setdefault(category_key(gettext(category.name)), category)
    found.update({category_key(category.code): category for category in categories})
    return found


def lead_validate(
    data: dict[str, Any], *, categories: Mapping[str, ProductCategory] | None = None
) -> dict[str, Any]:
    """Every check of a submission that needs no lock, with all the errors at once:
    the prospect's fields, the product and the estimated value, ready for ``Lead(**cleaned)``.
    ``categories`` (code → active category) spares a query per lead in a batch."""
    refused = _text_errors(data)
    data = {k: v for k, v in data.items() if k not in refused}  # never sent to a query
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    try:
        cleaned = normalise(data)
    except ValidationError as exc:
        errors.update(field_errors(exc))
    try:
        cleaned["category"] = _category(data.get("category"), categories)
    except ValidationError as exc:
        errors.update(field_errors(exc))
    try:
        cleaned["estimated_value"] = _estimated_value(data.get("estimated_value"))
    except ValidationError as exc:
        errors.update(field_errors(exc))
    if cleaned.get("email") and "email" not in refused:  # its domain in ASCII may be longer
        errors.update(length_errors(Lead, {"email": cleaned["email"]}, limits=_email_limit()))
    errors.update(refused)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _email_limit() -> dict[str, int]:
    """An e-mail is also a prospect key, whose column is shorter than the lead's."""
    return {"email": min(max_chars(Lead, "email") or 0, max_chars(ProspectKey, "value") or 0)}


def _text_errors(data: dict[str, Any]) -> dict[str, str]:
    """What the lead table cannot store (``core.textcheck``): a NUL or a lone surrogate in any
    field, a text stored as typed longer than its column (the e-mail measured again once
    normalised). Identifiers are measured once normalised, by their validators."""
    typed = {f: str(data.get(f) or "").strip() for f in (*TEXT_FIELDS, "email") if f in data}
    lengths = length_errors(Lead, typed, limits=_email_limit())
    return {**lengths, **character_errors(Lead, data)}


def leads_check(
    items: list[Submission], *, categories: Mapping[str, ProductCategory] | None = None
) -> list[dict[str, Any] | ValidationError]:
    """Each item's cleaned fields, or the ValidationError that refuses it. Reads the active
    products once when an item names one and ``categories`` is not given; with it, pure Python
    (the import validates its next thousand rows in a second thread while this one is written)."""
    if categories is None:
        wanted = any(item.data.get("category") for item in items)
        categories = active_categories() if wanted else {}
    checked: list[dict[str, Any] | ValidationError] = []
    for item in items:
        try:
            checked.append(lead_validate(item.data, categories=categories))
        except ValidationError as exc:
            checked.append(exc)
    return checked


def _category(
    code: Any, categories: Mapping[str, ProductCategory] | None
) -> ProductCategory | None:
    if not code:
        return None
    category = (active_categories() if categories is None else categories).get(category_key(code))
    if category is None:
        raise ValidationError(
            {"category": _("Unknown product category %(code)s.") % {"code": code}}
        )
    return category


def _estimated_value(raw: Any) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = cents(raw if not isinstance(raw, float) else str(raw))
    except (ValueError, ArithmeticError):
        raise ValidationError(
            {"estimated_value": _("%(value)s is not an amount.") % {"value": raw}}
        ) from None
    if value < 0:
        raise ValidationError({"estimated_value": _("An estimated value cannot be negative.")})
    return value


class LockedKey(NamedTuple):
    """A prospect key's row as locked for this intake: its id, the lead it pointed to then, and
    whether the prospect asked us to forget this e-mail or phone; for a key this intake created,
    the lead it was created pointing to (``lock_keys``' ``expected``). A tuple, not a model
    instance: a thousand-lead batch locks two thousand keys."""

    pk: int
    lead_id: int | None
    lead_submitted_at: datetime | None
    suppressed: bool
    pointed: int | None = None


def lock_keys(
    keys: Iterable[Key], *, expected: Mapping[Key, int] | None = None, at: datetime | None = None
) -> dict[Key, LockedKey]:
    """One row per key, created if missing, each locked, in a fixed order (no deadlock between
    two batches): two submissions of the same prospect at once are serialised here. Each says
    whether the prospect asked us to forget this e-mail or phone.

    New keys first, ``INSERT … ON CONFLICT DO NOTHING``: a row this transaction inserts stays
    locked until it commits, and a key a concurrent intake is inserting makes this one wait for
    it. Then the keys that already existed, ``SELECT … FOR UPDATE``, read as last committed
    (what an earlier submission pointed them at). An upsert's no-op ``DO UPDATE`` would lock
    both kinds in one statement, but it writes a new version of every known key for the vacuum
    to clear.

    The fast path (``leads.bulk``, taken by the intake whatever its size: ``INTAKE_ALWAYS``):
    the created keys come back from the INSERT, each pointing at once to the lead ``expected``
    names (submitted ``at``), the lead that will most likely claim it, so that ``point_keys``
    writes only the keys that end otherwise (written, then rewritten, a thousand leads' keys
    took ~30 ms more). Through the ORM, which cannot say which rows it created, every key is
    read back and locked by the second statement."""
    wanted = sorted(set(keys))
    fast = bulk.INTAKE_ALWAYS or is_batch(len(wanted))
    found: dict[Key, LockedKey] = {}
    # A key erased (GDPR) between the two statements is inserted again on the next turn.
    for _turn in range(3):
        missing = [key for key in wanted if key not in found]
        if not missing:
            break
        if fast:
            for pk, kind, value, pointed, suppressed in bulk.insert_keys(
                missing, dict(expected or {}), at
            ):
                found[(kind, value)] = LockedKey(pk, None, None, suppressed, pointed)
        else:
            ProspectKey.objects.bulk_create(
                [ProspectKey(kind=kind, value=value) for kind, value in missing],
                ignore_conflicts=True,
            )
        existing = [key for key in missing if key not in found]
        if existing:
            rows = bulk.lock_existing_keys(existing) if fast else _lock_existing(existing)
            for pk, kind, value, lead_id, submitted, suppressed in rows:
                found[(kind, value)] = LockedKey(pk, lead_id, submitted, suppressed)
    if len(found) < len(wanted):
        raise DatabaseError("Prospect keys kept disappearing while they were being locked.")
    return found


def _lock_existing(keys: list[Key]) -> list[bulk.Existing]:
    """``bulk.lock_existing_keys`` through the ORM, for a few keys."""
    wanted = Q()
    for kind, value in keys:
        wanted |= Q(kind=kind, value=value)
    suppressed = Suppression.objects.filter(kind=OuterRef("kind"), value=OuterRef("value"))
    return list(
        ProspectKey.objects.select_for_update(of=("self",))
        .filter(wanted)
        .annotate(suppressed=Exists(suppressed))
        .order_by("kind", "value")
        .values_list("pk", "kind", "value", "lead_id", "lead_submitted_at", "suppressed")
    )


def point_keys(pairs: list[tuple[int, int | None]], *, at: datetime) -> None:
    """Point each key (id) at the lead (id) that now holds it, or at none: one ``UPDATE … FROM``
    join (``leads.bulk``), or through the ORM one UPDATE per lead (``bulk_update`` builds a
    CASE branch per row, which took 3 s per thousand leads)."""
    if bulk.INTAKE_ALWAYS or is_batch(len(pairs)):
        bulk.point_keys(pairs, at=at)
        return
    by_lead: dict[int | None, list[int]] = {}
    for key, lead in pairs:
        by_lead.setdefault(lead, []).append(key)
    for lead, ids in by_lead.items():
        ProspectKey.objects.filter(pk__in=ids).update(
            lead_id=lead, lead_submitted_at=None if lead is None else at
        )


def known_originals(locked: Mapping[Key, LockedKey], now: datetime) -> dict[int, Lead]:
    """The earlier leads the locked keys point to, when submitted within the protection window."""
    since = now - protection_window()
    ids = {
        k.lead_id
        for k in locked.values()
        if k.lead_id and k.lead_submitted_at and k.lead_submitted_at >= since
    }
    if not ids:
        return {}
    rows = Lead.objects.filter(pk__in=ids).only("pk", "partner_id", "submitted_at")
    return {lead.pk: lead for lead in rows}


def is_suppressed(cleaned: dict[str, Any], locked: Mapping[Key, LockedKey]) -> bool:
    return any(
        locked[key].suppressed
        for key in (
            (KeyKind.EMAIL.value, cleaned["email"]),
            (KeyKind.PHONE.value, cleaned["phone"]),
        )
        if key in locked
    )


def plan(
    items: list[tuple[Lead, dict[str, Any]]],
    *,
    locked: Mapping[Key, LockedKey],
    known: Mapping[int, Lead],
    now: datetime,
) -> list[Planned]:
    """Decide each lead in submission order, as if they had come one after the other: a lead
    duplicates the earliest lead any of its keys points to — an earlier one in the database
    (within the window) or one earlier in this batch — and otherwise claims its keys."""
    claimed: dict[Key, Lead] = {}
    planned = []
    for lead, cleaned in items:
        keys = prospect_keys(cleaned)
        in_db = [
            known[locked[k].lead_id]  # type: ignore[index]
            for k in keys
            if k not in claimed and locked[k].lead_id in known
        ]
        in_batch = [claimed[k] for k in keys if k in claimed]
        original: Lead | None = None
        if in_db:
            original = min(in_db, key=lambda one: (one.submitted_at, one.pk))
        elif in_batch:
            original = in_batch[0]  # all of this batch share ``now``: the first claimed wins
        flag(lead, original, cleaned, now, suppressed=is_suppressed(cleaned, locked))
        one = Planned(lead)
        if original is None:
            one.claims = keys
            for key in keys:
                claimed[key] = lead
        planned.append(one)
    return planned


def flag(
    lead: Lead, original: Lead | None, cleaned: dict[str, Any], now: datetime, *, suppressed: bool
) -> None:
    """Duplicate, conflict, self-referral, suppression: decided before the lead is saved."""
    if original is not None:
        lead.duplicate_of = original
        same_source = original.partner_id == lead.partner_id
        if same_source:
            lead.status, lead.rejection_reason, lead.rejected_at = (
                LeadStatus.REJECTED,
                RejectionReason.DUPLICATE,
                now,
            )
        else:
            # The first valid referral wins unless a manager (or the configured rule) decides.
            lead.review_reason = ReviewReason.CONFLICT
    if lead.partner is not None and self_referral(lead.partner, cleaned):
        lead.review_reason = ReviewReason.SELF_REFERRAL
    if suppressed:
        lead.review_reason = ReviewReason.SUPPRESSED


def self_referral(partner: Partner, cleaned: dict[str, Any]) -> bool:
    domain = email_domain(cleaned["email"])
    return bool(
        (cleaned["email"] and cleaned["email"] == partner.email)
        or (cleaned["phone"] and cleaned["phone"] == partner.phone)
        or (domain and domain not in PUBLIC_DOMAINS and domain == email_domain(partner.email))
    )
