"""Every write on accounts, contacts and relationships: validated (a message naming the field),
normalised as the leads normalise (e-mail, phone, SIREN, company key) and checked for
duplicates the way the leads are, then saved. The contacts' rights (objection, retention) too.

Introductions, account plans, operations and the bonus have their own modules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.core import identifiers
from relais.core.audit import audit_record
from relais.core.errors import DomainError
from relais.core.params import legal_value
from relais.leads.choices import KeyKind
from relais.leads.models import Lead, ProspectKey
from relais.leads.normalise import company_key
from relais.network.choices import (
    ContactLevel,
    RelationshipContext,
    Strength,
    Visibility,
)
from relais.network.introductions import introductions_decline_exclusive
from relais.network.models import Account, Contact, Relationship
from relais.partners.models import Partner

CONTACT_PERSONAL_FIELDS = ("first_name", "last_name", "title", "email", "phone", "linkedin_url")


class Duplicate(DomainError):
    """The account or contact exists already: ``existing`` is it (the import counts these)."""

    status = 409

    def __init__(self, message: str, *, existing: Account | Contact, field: str) -> None:
        super().__init__(message, code="duplicate", fields={field: message})
        self.existing = existing


def _invalid(errors: dict[str, str]) -> DomainError:
    return DomainError(" ".join(errors.values()), code="invalid", fields=errors)


def strength_check(*, value: Any) -> int:
    """A strength on the 1–5 scale, or an error that names the field and shows the scale."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number not in Strength.values:
        scale = "; ".join(str(label) for label in Strength.labels)
        raise _invalid(
            {
                "strength": _("Strength %(value)s: choose 1 to 5 (%(scale)s).")
                % {"value": value, "scale": scale}
            }
        )
    return number


# ---- Accounts -------------------------------------------------------------------------------


def account_clean(*, data: dict[str, Any]) -> dict[str, Any]:
    """The account's fields, normalised; a DomainError naming every bad field."""
    errors: dict[str, str] = {}
    name = str(data.get("name") or "").strip()
    if not company_key(name):
        errors["name"] = _("Give the company's name.")
    siren = str(data.get("siren") or "").strip()
    if siren:
        try:
            siren = identifiers.validate_siren(siren)
        except ValidationError as exc:
            errors["siren"] = exc.messages[0]
    departement = str(data.get("departement") or data.get("departement_id") or "").strip()
    if departement:
        from relais.core.models import Departement

        departement = departement.upper().zfill(2) if departement.isdigit() else departement
        if not Departement.objects.filter(code=departement).exists():
            errors["departement"] = _("Département %(code)s: no such département.") % {
                "code": departement
            }
    website = str(data.get("website") or "").strip()
    if website and not website.startswith(("http://", "https://")):
        website = f"https://{website}"
    if errors:
        raise _invalid(errors)
    sector = str(data.get("sector") or "").strip()[:120]
    return {
        "name": name[:200],
        "name_key": company_key(name)[:200],
        "siren": siren,
        "sector": sector,
        "sector_key": company_key(sector)[:120],
        "departement_id": departement or None,
        "city": str(data.get("city") or "").strip()[:100],
        "website": website[:200],
    }


def account_duplicate(*, cleaned: dict[str, Any]) -> Account | None:
    """The account this one repeats: the same SIREN, or the same company key in the same
    département (the leads' company key, a name with its legal form and accents dropped)."""
    if cleaned["siren"]:
        found = Account.objects.filter(siren=cleaned["siren"]).first()
        if found:
            return found
    same_name = Account.objects.filter(name_key=cleaned["name_key"])
    if cleaned["siren"]:
        same_name = same_name.filter(Q(siren="") | Q(siren=cleaned["siren"]))
    if cleaned["departement_id"]:
        same_name = same_name.filter(
            Q(departement_id=cleaned["departement_id"]) | Q(departement__isnull=True)
        )
    return same_name.order_by("pk").first()


def account_create(*, actor: User | None, data: dict[str, Any]) -> Account:
    """A new target account, linked to the partner and leads it matches. A duplicate (see
    ``account_duplicate``) is refused with the existing account."""
    cleaned = account_clean(data=data)
    existing = account_duplicate(cleaned=cleaned)
    if existing:
        raise Duplicate(
            _("%(name)s exists already.") % {"name": existing.name}, existing=existing, field="name"
        )
    try:
        with transaction.atomic():
            account = Account.objects.create(**cleaned, created_by=actor)
    except IntegrityError:
        # Another request created it between the check and the insert (the SIREN is unique).
        existing = Account.objects.get(siren=cleaned["siren"])
        raise Duplicate(
            _("%(name)s exists already.") % {"name": existing.name},
            existing=existing,
            field="siren",
        ) from None
    account_link_matches(account=account)
    return account


def account_update(*, account: Account, data: dict[str, Any]) -> Account:
    cleaned = account_clean(data=data)
    if cleaned["siren"]:
        other = Account.objects.filter(siren=cleaned["siren"]).exclude(pk=account.pk).first()
        if other:
            raise Duplicate(
                _("SIREN %(siren)s: it is %(name)s's.")
                % {"siren": other.siren, "name": other.name},
                existing=other,
                field="siren",
            )
    for field, value in cleaned.items():
        setattr(account, field, value)
    account.save()
    account_link_matches(account=account)
    return account


def account_link_matches(*, account: Account) -> int:
    """Link the account to the partner with its SIREN and to the leads the leads' own keys say
    are this company (its SIREN, or its company key with a postcode of its département).
    Returns the number of leads linked."""
    if account.siren:
        partner = Partner.objects.filter(siren=account.siren).order_by("pk").first()
        if partner and account.partner_id != partner.pk:
            account.partner = partner
            account.save(update_fields=["partner", "updated_at"])
    keys = Q(kind=KeyKind.SIREN, value=account.siren) if account.siren else Q(pk__in=[])
    if account.departement_id:
        prefix = f"{account.name_key}|{account.departement_id[:2]}"
        keys |= Q(kind=KeyKind.COMPANY, value__startswith=prefix)
    lead_ids = ProspectKey.objects.filter(keys, lead__isnull=False).values("lead_id")
    leads = list(Lead.objects.filter(pk__in=lead_ids).values_list("pk", flat=True)[:200])
    if leads:
        account.leads.add(*leads)
    return len(leads)


# ---- Contacts -------------------------------------------------------------------------------


def contact_clean(*, data: dict[str, Any]) -> dict[str, Any]:
    """The person's fields, normalised as the leads' (lower-case e-mail, E.164 phone)."""
    errors: dict[str, str] = {}
    first = str(data.get("first_name") or "").strip()[:100]
    last = str(data.get("last_name") or "").strip()[:100]
    if not last:
        errors["last_name"] = _("Give the person's last name.")
    email = str(data.get("email") or "").strip()
    if email:
        try:
            email = identifiers.normalize_email(email)
        except ValidationError as exc:
            errors["email"] = exc.messages[0]
    phone = str(data.get("phone") or "").strip()
    if phone:
        try:
            phone = identifiers.normalize_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    linkedin = str(data.get("linkedin_url") or "").strip()
    if linkedin:
        if not linkedin.startswith(("http://", "https://")):
            linkedin = f"https://{linkedin}"
        if "linkedin.com/" not in linkedin.lower():
            errors["linkedin_url"] = _(
                "LinkedIn URL %(url)s: it is not a linkedin.com address."
            ) % {"url": linkedin}
    level = str(data.get("level") or "").strip()
    if level not in ContactLevel.values:
        errors["level"] = _("Level %(value)s: choose one of the list.") % {"value": level}
    if errors:
        raise _invalid(errors)
    return {
        "first_name": first,
        "last_name": last,
        "name_key": company_key(f"{first} {last}")[:220],
        "title": str(data.get("title") or "").strip()[:150],
        "level": level,
        "email": email,
        "phone": phone,
        "linkedin_url": linkedin[:200],
    }


def contact_duplicate(*, account: Account, cleaned: dict[str, Any]) -> Contact | None:
    """The person exists already: the same e-mail anywhere, or the same name at this account."""
    if cleaned["email"]:
        found = Contact.objects.filter(email=cleaned["email"]).first()
        if found:
            return found
    return account.contacts.filter(name_key=cleaned["name_key"]).order_by("pk").first()


def contact_create(*, actor: User | None, account: Account, data: dict[str, Any]) -> Contact:
    """A person at an account; a duplicate is refused with the existing contact. A person who
    objected (here, or to the leads by e-mail) is not recorded again."""
    cleaned = contact_clean(data=data)
    existing = contact_duplicate(account=account, cleaned=cleaned)
    if existing:
        raise Duplicate(
            _("%(name)s is already recorded at %(account)s.")
            % {"name": existing.full_name, "account": existing.account.name},
            existing=existing,
            field="email"
            if cleaned["email"] and existing.email == cleaned["email"]
            else "last_name",
        )
    if cleaned["email"] and _objected(cleaned["email"]):
        raise _invalid({"email": _("This person objected to being recorded.")})
    return Contact.objects.create(
        account=account, **cleaned, last_activity_at=timezone.now(), created_by=actor
    )


def _objected(email: str) -> bool:
    from relais.leads.models import Suppression

    return (
        Contact.objects.filter(email=email, objected_at__isnull=False).exists()
        or Suppression.objects.filter(kind=KeyKind.EMAIL, value=email).exists()
    )


def contact_update(*, contact: Contact, data: dict[str, Any]) -> Contact:
    cleaned = contact_clean(data=data)
    if cleaned["email"]:
        other = Contact.objects.filter(email=cleaned["email"]).exclude(pk=contact.pk).first()
        if other:
            raise Duplicate(
                _("E-mail %(email)s: it is %(name)s's.")
                % {"email": cleaned["email"], "name": other.full_name},
                existing=other,
                field="email",
            )
    for field, value in cleaned.items():
        setattr(contact, field, value)
    contact.last_activity_at = timezone.now()
    contact.save()
    return contact


def contact_object(*, contact: Contact, actor: User | None, reason: str = "") -> int:
    """The person's right to object (B2B data held on legitimate interest): from now on no one
    shares a relationship with them (each becomes private to its owner) and none can be
    recorded again; the import skips their e-mail. Returns the relationships made private."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if contact.objected_at is None:
            contact.objected_at = timezone.now()
            contact.objection_reason = reason[:200]
            contact.save(update_fields=["objected_at", "objection_reason", "updated_at"])
        changed = contact.relationships.exclude(visibility=Visibility.PRIVATE).update(
            visibility=Visibility.PRIVATE
        )
        audit_record(
            subject=contact,
            action="gdpr_objection",
            actor=actor,
            target=f"contact {contact.pk}",
            reason=reason,
        )
    return changed


def contacts_anonymise(*, contacts: list[Contact], why: str) -> int:
    """Blank the personal fields, drop the relationships (who knows the person is personal data
    too) and keep the row (an account plan may still count it)."""
    now = timezone.now()
    for contact in contacts:
        with transaction.atomic():
            contact.relationships.all().delete()
            for field in CONTACT_PERSONAL_FIELDS:
                setattr(contact, field, "")
            contact.last_name = "—"
            contact.name_key = ""
            contact.anonymised_at = now
            contact.save()
            audit_record(subject=contact, action=why, target=f"contact {contact.pk}")
    return len(contacts)


def contacts_retention_purge(*, now: datetime | None = None) -> int:
    """Anonymise the people nobody recorded anything about for longer than the dated retention
    period the leads use for prospects (``gdpr_retention_years``, CNIL: three years)."""
    now = now or timezone.now()
    years = int(legal_value("gdpr_retention_years", now.date()))
    limit = now - relativedelta(years=years)
    expired = Contact.objects.filter(last_activity_at__lt=limit, anonymised_at__isnull=True)
    done = 0
    while batch := list(expired.order_by("pk")[:500]):
        done += contacts_anonymise(contacts=batch, why="gdpr_retention")
    return done


# ---- Relationships --------------------------------------------------------------------------


def relationship_clean(*, data: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    today = today or timezone.localdate()
    try:
        strength = strength_check(value=data.get("strength"))
    except DomainError as exc:
        errors.update(exc.fields)
        strength = 0
    context = str(data.get("context") or "").strip()
    if context not in RelationshipContext.values:
        errors["context"] = _("Context %(value)s: choose one of the list.") % {"value": context}
    visibility = str(data.get("visibility") or Visibility.PRIVATE).strip()
    if visibility not in Visibility.values:
        errors["visibility"] = _("Visibility %(value)s: private, on request or shared.") % {
            "value": visibility
        }
    last = _date(data.get("last_interaction"), "last_interaction", errors)
    if last and last > today:
        errors["last_interaction"] = _("The last interaction cannot be in the future.")
    exclusive = _date(data.get("exclusive_until"), "exclusive_until", errors)
    if exclusive and exclusive < today:
        errors["exclusive_until"] = _("An exclusivity ends today or later.")
    if errors:
        raise _invalid(errors)
    return {
        "strength": strength,
        "context": context,
        "context_note": str(data.get("context_note") or "").strip()[:200],
        "visibility": visibility,
        "last_interaction": last,
        "exclusive_until": exclusive,
    }


def _date(value: Any, field: str, errors: dict[str, str]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[field] = _("Date %(value)s: write it as YYYY-MM-DD.") % {"value": value}
        return None


def relationship_record(*, owner: User, contact: Contact, data: dict[str, Any]) -> Relationship:
    """Record (or update: one per owner and person, so a retry changes nothing) that ``owner``
    knows ``contact``. Only staff; a person who objected stays private to their owner."""
    if not owner.is_staff_member:
        raise DomainError(_("Only staff record relationships."), code="forbidden")
    cleaned = relationship_clean(data=data)
    contact.refresh_from_db(fields=["objected_at", "anonymised_at"])
    if contact.anonymised_at is not None:
        raise _invalid({"contact": _("This person's data were erased.")})
    if contact.objected_at is not None and cleaned["visibility"] != Visibility.PRIVATE:
        raise _invalid(
            {"visibility": _("This person objected: the relationship can only be private.")}
        )
    with transaction.atomic():
        # The unique (owner, contact) serialises two saves of the same relationship.
        rel, _created = Relationship.objects.update_or_create(
            owner=owner, contact=contact, defaults={**cleaned, "account_id": contact.account_id}
        )
        Contact.objects.filter(pk=contact.pk).update(last_activity_at=timezone.now())
        if rel.exclusive_until:  # the waiting requests through it are declined, askers told
            introductions_decline_exclusive(relationship=rel)
    return rel


def relationship_delete(*, relationship: Relationship) -> None:
    relationship.delete()
