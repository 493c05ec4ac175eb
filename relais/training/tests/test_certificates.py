"""Certificates: issued once per partner and module version (also when two requests race),
expiring after the module's validity, revoked with a reason, and their state in that order."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from relais.accounts.choices import Role
from relais.testing.factories import PartnerFactory, UserFactory
from relais.training.certificates import (
    CODE_ALPHABET,
    add_years,
    certificate_issue,
    certificate_revoke,
    certificate_state,
)
from relais.training.choices import CertificateState, Validity
from relais.training.models import Certificate, Module, Path


def make_module(**fields) -> Module:
    return Module.objects.create(title=fields.pop("title", "Conformité"), published=True, **fields)


@pytest.mark.django_db
def test_a_module_certificate_is_issued_once_per_version_with_a_random_code():
    partner = PartnerFactory.create()
    module = make_module(validity=Validity.TWO_YEARS)
    first = certificate_issue(partner=partner, module=module)
    again = certificate_issue(partner=partner, module=module)
    assert again.pk == first.pk
    assert len(first.code) == 14
    assert set(first.code) <= set(CODE_ALPHABET)
    assert first.expires_at == add_years(first.issued_at, 2)
    assert certificate_state(first) == CertificateState.VALID

    module.version = 2
    module.save()
    second = certificate_issue(partner=partner, module=module)
    assert second.pk != first.pk
    assert second.version == 2
    assert second.code != first.code
    # The first still certifies version 1: a retake requirement does not void it.
    assert certificate_state(first) == CertificateState.VALID


@pytest.mark.django_db
def test_a_module_without_expiry_and_a_path_certificate_never_expire():
    partner = PartnerFactory.create()
    module = make_module(validity=Validity.FOREVER)
    path = Path.objects.create(title="Démarrer comme revendeur", published=True)
    assert certificate_issue(partner=partner, module=module).expires_at is None
    by_path = certificate_issue(partner=partner, path=path)
    assert by_path.expires_at is None
    assert by_path.path == path
    assert certificate_issue(partner=partner, path=path).pk == by_path.pk
    with pytest.raises(ValidationError):
        certificate_issue(partner=partner)


@pytest.mark.django_db
def test_state_is_revoked_before_expired_before_valid():
    partner = PartnerFactory.create()
    certificate = certificate_issue(partner=partner, module=make_module(validity=Validity.ONE_YEAR))
    later = certificate.expires_at + timedelta(seconds=1)
    assert certificate_state(certificate, now=later) == CertificateState.EXPIRED
    manager = UserFactory.create(role=Role.MANAGER)
    with pytest.raises(ValidationError) as refused:
        certificate_revoke(certificate=certificate, actor=manager, reason="  ")
    assert "reason" in refused.value.message_dict
    revoked = certificate_revoke(certificate=certificate, actor=manager, reason="Fraude au quiz")
    assert certificate_state(revoked) == CertificateState.REVOKED
    assert certificate_state(revoked, now=later) == CertificateState.REVOKED
    assert revoked.revoked_reason == "Fraude au quiz"
    with pytest.raises(ValidationError):
        certificate_revoke(certificate=revoked, actor=manager, reason="Encore")


def test_a_29_february_lands_on_the_28th():
    moment = timezone.now().replace(year=2028, month=2, day=29)
    assert add_years(moment, 1).date().isoformat() == "2029-02-28"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_issues_at_once_give_one_certificate():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, so there is no race")
    partner = PartnerFactory.create()
    module = make_module(validity=Validity.ONE_YEAR)
    barrier, codes = threading.Barrier(4), []

    def issue():
        barrier.wait(timeout=10)
        try:
            codes.append(certificate_issue(partner=partner, module=module).code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(4)]
    [t.start() for t in threads]
    [t.join(timeout=60) for t in threads]
    assert len(codes) == 4
    assert len(set(codes)) == 1
    assert Certificate.objects.filter(partner=partner, module=module).count() == 1
