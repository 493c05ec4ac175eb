"""The public verification page: valid, expired or revoked, what was certified and its dates,
and nothing about the person; an unknown code is a 404; a robot is stopped by the rate limit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from relais.accounts.choices import Role
from relais.testing.factories import PartnerFactory, UserFactory
from relais.training.certificates import certificate_issue, certificate_revoke
from relais.training.choices import Validity
from relais.training.models import Module

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def issued(**partner_fields):
    partner = PartnerFactory.create(first_name="Camille", last_name="Durand", **partner_fields)
    module = Module.objects.create(
        title="Conflits d'intérêts et conformité", validity=Validity.ONE_YEAR, published=True
    )
    return certificate_issue(partner=partner, module=module)


def test_a_valid_certificate_says_valid_and_what_it_certifies_but_not_who(client):
    certificate = issued()
    page = client.get(reverse("verify:certificate", args=[certificate.code]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "This certificate is valid." in text
    assert "Conflits d&#x27;intérêts et conformité" in text
    assert "Camille" not in text
    assert "Durand" not in text
    assert certificate.partner.email not in text


def test_a_code_typed_in_lower_case_is_found(client):
    certificate = issued()
    page = client.get(reverse("verify:certificate", args=[certificate.code.lower()]))
    assert "This certificate is valid." in page.content.decode()


def test_expired_and_revoked_certificates_say_so(client):
    certificate = issued()
    certificate.expires_at = certificate.issued_at - timedelta(days=1)
    certificate.save()
    page = client.get(reverse("verify:certificate", args=[certificate.code]))
    assert "This certificate has expired." in page.content.decode()

    manager = UserFactory.create(role=Role.MANAGER)
    certificate_revoke(certificate=certificate, actor=manager, reason="Quiz passé par un tiers")
    page = client.get(reverse("verify:certificate", args=[certificate.code]))
    text = page.content.decode()
    assert "This certificate was revoked." in text
    assert "Quiz passé par un tiers" not in text  # the reason is the manager's, not the public's


def test_an_unknown_code_is_a_404_that_says_no_such_certificate(client):
    page = client.get(reverse("verify:certificate", args=["ABCDEFGHJKMNPQ"]))
    assert page.status_code == 404
    assert "No such certificate" in page.content.decode()


def test_one_address_is_stopped_after_the_hourly_limit(client, settings):
    settings.RELAIS_TRAINING_VERIFY_MAX_PER_HOUR = 3
    certificate = issued()
    url = reverse("verify:certificate", args=[certificate.code])
    codes = [client.get(url).status_code for _ in range(3)]
    refused = client.get(url)
    assert codes == [200, 200, 200]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # Another address is not held back by the first one's hits.
    assert client.get(url, REMOTE_ADDR="192.0.2.9").status_code == 200
