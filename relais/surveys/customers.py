"""Customers: made from each won lead (the leads app's ``LeadWon`` event), or imported."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from relais.core.models import Departement
from relais.core.territory import departement_for_postcode
from relais.leads.events import LeadWon
from relais.leads.models import Lead, ProductCategory
from relais.partners.models import Partner
from relais.surveys.choices import CustomerSource
from relais.surveys.models import Customer


def customer_from_lead(*, lead: Lead) -> Customer:
    """The won lead's prospect as a customer, with what was sold, who sold it and where.
    Idempotent: the lead is unique on the customer, so a second delivery (or two at once)
    returns the first row."""
    found = Customer.objects.filter(lead=lead).first()
    if found is not None:
        return found
    customer = Customer(
        first_name=lead.first_name,
        last_name=lead.last_name,
        company_name=lead.company_name,
        email=lead.email,
        phone=lead.phone,
        postcode=lead.postcode,
        city=lead.city,
        departement_id=lead.departement_id,
        product_id=lead.category_id,
        reseller_id=lead.assigned_reseller_id,
        salesperson_id=lead.assigned_salesperson_id,
        lead=lead,
        source=CustomerSource.WON_LEAD,
        won_at=lead.won_at,
    )
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:  # a concurrent delivery made it between our read and our insert
        return Customer.objects.get(lead=lead)
    return customer


def on_lead_won(event: LeadWon) -> None:
    """The handler of ``LeadWon``: safe to run twice (``customer_from_lead``)."""
    lead = Lead.objects.filter(pk=event.lead_id).first()
    if lead is not None and lead.anonymised_at is None:
        customer_from_lead(lead=lead)


FIELDS: dict[str, tuple[str, ...]] = {
    "first_name": ("prenom", "first name"),
    "last_name": ("nom", "name", "last name", "client"),
    "company_name": ("societe", "entreprise", "raison sociale", "company"),
    "email": ("email", "e-mail", "courriel", "mail"),
    "phone": ("telephone", "tel", "phone", "mobile", "portable"),
    "postcode": ("code postal", "cp", "postcode", "zip"),
    "city": ("ville", "city", "commune"),
    "product": ("produit", "categorie", "category", "product"),
    "reseller_code": ("code revendeur", "revendeur", "reseller", "reseller code"),
}


class Lookups:
    """The products and resellers a file names, each looked up once per file."""

    def __init__(self) -> None:
        self.products = {p.code: p for p in ProductCategory.objects.all()}
        self.products |= {p.name.lower(): p for p in self.products.values()}
        self.resellers: dict[str, Partner | None] = {}
        self.departements = {d.code: d for d in Departement.objects.all()}

    def reseller(self, code: str) -> Partner | None:
        if code not in self.resellers:
            self.resellers[code] = Partner.objects.filter(referral_code=code).first()
        return self.resellers[code]


def customer_check(data: dict[str, str], lookups: Lookups) -> Customer:
    """One imported row as an unsaved customer; a ValidationError names each bad field."""
    errors: dict[str, str] = {}
    values = {k: (v or "").strip() for k, v in data.items()}
    customer = Customer(source=CustomerSource.IMPORT)
    for name in ("first_name", "last_name", "company_name", "phone", "city"):
        limit = getattr(Customer._meta.get_field(name), "max_length", None) or 100
        setattr(customer, name, values.get(name, "")[:limit])
    _check_email(customer, values.get("email", ""), errors)
    _check_postcode(customer, values.get("postcode", ""), lookups, errors)
    _check_product(customer, values.get("product", ""), lookups, errors)
    code = values.get("reseller_code", "")
    if code:
        customer.reseller = lookups.reseller(code)
        if customer.reseller is None:
            errors["reseller_code"] = _("No partner has the referral code %(code)s.") % {
                "code": code
            }
    if not (customer.last_name or customer.company_name):
        errors["last_name"] = _("Give the last name or the company.")
    if errors:
        raise ValidationError(errors)
    return customer


def _check_email(customer: Customer, email: str, errors: dict[str, Any]) -> None:
    if not email:
        errors["email"] = _("The e-mail is required: the survey is sent to it.")
        return
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("%(value)s is not an e-mail address.") % {"value": email}
    customer.email = email.lower()


def _check_postcode(
    customer: Customer, postcode: str, lookups: Lookups, errors: dict[str, Any]
) -> None:
    if not postcode:
        return
    try:
        code = departement_for_postcode(postcode)
    except ValidationError as exc:
        errors["postcode"] = " ".join(exc.messages)
        return
    customer.postcode = postcode.replace(" ", "")
    customer.departement = lookups.departements.get(code)


def _check_product(
    customer: Customer, product: str, lookups: Lookups, errors: dict[str, Any]
) -> None:
    if not product:
        return
    customer.product = lookups.products.get(product) or lookups.products.get(product.lower())
    if customer.product is None:
        errors["product"] = _("No product is called %(value)s.") % {"value": product}
