"""factory_boy factories shared by the tests of every app."""

from __future__ import annotations

import random
from functools import lru_cache

import factory
from django.contrib.auth.hashers import make_password
from factory.django import DjangoModelFactory

from relais.accounts.choices import PARTNER_ROLES, Role
from relais.accounts.models import User
from relais.core.models import Departement
from relais.core.sample_identities import Identity
from relais.partners.choices import LegalForm, PartnerKind, PartnerStatus, TaxRegime
from relais.partners.models import Partner, PartnerMember

PASSWORD = "Correct-horse-42"  # noqa: S105 - test accounts only
_identity = Identity(random.Random(7))  # noqa: S311 - test data


@lru_cache(maxsize=1)
def _password_hash() -> str:
    """One argon2 hash for every test user: hashing per user would slow the suite down."""
    return make_password(PASSWORD)


class UserFactory(DjangoModelFactory[User]):
    """A staff user (manager by default); partner roles get no usable password, as in real life."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.fr")
    role = Role.MANAGER
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    is_staff = factory.LazyAttribute(lambda u: u.role == Role.ADMIN)
    is_superuser = factory.LazyAttribute(lambda u: u.role == Role.ADMIN)
    password = factory.LazyAttribute(
        lambda u: make_password(None) if u.role in PARTNER_ROLES else _password_hash()
    )


class PartnerFactory(DjangoModelFactory[Partner]):
    """An active introducer by default; ``reseller=True`` gives a company reseller."""

    class Meta:
        model = Partner
        skip_postgeneration_save = True

    class Params:
        reseller = factory.Trait(
            kind=PartnerKind.RESELLER,
            legal_form=LegalForm.COMPANY,
            tax_regime=TaxRegime.VAT_LIABLE,
            company_name=factory.Faker("company", locale="fr_FR"),
            siren=factory.LazyFunction(_identity.siren),
            siret=factory.LazyAttribute(lambda p: _identity.siret(p.siren)),
            vat_number=factory.LazyAttribute(lambda p: Identity.vat(p.siren)),
        )

    kind = PartnerKind.INTRODUCER
    legal_form = LegalForm.INDIVIDUAL
    status = PartnerStatus.ACTIVE
    tax_regime = TaxRegime.NON_PROFESSIONAL
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.Sequence(lambda n: f"partner{n}@example.fr")
    postcode = "69003"
    city = "Lyon"
    departement = factory.LazyAttribute(lambda p: Departement.objects.get(code="69"))
    referral_code = factory.Sequence(lambda n: f"code{n:04d}")


def partner_user(partner: Partner, **kwargs: object) -> User:
    """A user acting for ``partner``, with the matching role."""
    user: User = UserFactory.create(role=partner.user_role, **kwargs)
    PartnerMember.objects.create(user=user, partner=partner)
    return user
