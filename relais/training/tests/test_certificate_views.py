"""The manager's certificates: the list and its filters, the export, the PDF, revoking with a
reason after a confirmation, the card on the partner page; partners cannot reach any of it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from relais.accounts.choices import Role
from relais.testing.factories import PartnerFactory, UserFactory, partner_user
from relais.training.certificates import certificate_issue
from relais.training.choices import Validity
from relais.training.models import Certificate, Module

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def manager(client):
    user = UserFactory.create(role=Role.MANAGER)
    client.force_login(user)
    return user


@pytest.fixture
def three():
    """A valid, an expired and a revoked certificate, two modules."""
    compliance = Module.objects.create(title="Conformité", validity=Validity.ONE_YEAR)
    leads = Module.objects.create(title="Travailler ses leads", validity=Validity.FOREVER)
    valid = certificate_issue(partner=PartnerFactory.create(company_name="Alpha"), module=leads)
    expired = certificate_issue(
        partner=PartnerFactory.create(company_name="Bravo"), module=compliance
    )
    expired.expires_at = expired.issued_at - timedelta(days=1)
    expired.save()
    revoked = certificate_issue(
        partner=PartnerFactory.create(company_name="Charlie"), module=compliance
    )
    Certificate.objects.filter(pk=revoked.pk).update(
        revoked_at=revoked.issued_at, revoked_reason="Erreur"
    )
    return {"valid": valid, "expired": expired, "revoked": revoked, "compliance": compliance}


def listed(page) -> list[str]:
    return [c.partner.display_name for row in page.context["rows"] for c in [row["certificate"]]]


def test_the_list_filters_by_state_and_module(client, manager, three):
    url = reverse("training:certificates")
    assert sorted(listed(client.get(url))) == ["Alpha", "Bravo", "Charlie"]
    assert listed(client.get(url, {"state": "valid"})) == ["Alpha"]
    assert listed(client.get(url, {"state": "expired"})) == ["Bravo"]
    assert listed(client.get(url, {"state": "revoked"})) == ["Charlie"]
    by_module = client.get(url, {"module": three["compliance"].pk})
    assert sorted(listed(by_module)) == ["Bravo", "Charlie"]
    text = client.get(url).content.decode()
    assert "Expired" in text
    assert "No expiry" in text


def test_the_list_takes_a_fixed_number_of_queries(
    client, manager, three, django_assert_max_num_queries
):
    for _ in range(10):
        certificate_issue(partner=PartnerFactory.create(), module=three["compliance"])
    with django_assert_max_num_queries(12):
        client.get(reverse("training:certificates"))


def test_the_export_as_csv_and_xlsx(client, manager, three):
    url = reverse("training:certificates_export")
    response = client.get(url, {"state": "expired", "format": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(
        csv.reader(io.StringIO(content), delimiter=";" if ";" in content.splitlines()[0] else ",")
    )
    assert rows[0][0] == "Partner"
    assert [row[0] for row in rows[1:]] == ["Bravo"]
    assert three["expired"].code in rows[1]
    xlsx = client.get(url, {"format": "xlsx"})
    assert xlsx.streaming
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert sheet.max_row == 4


def test_revoking_asks_a_reason_then_the_verification_page_says_revoked(client, manager, three):
    certificate = three["valid"]
    url = reverse("training:certificate_revoke", args=[certificate.pk])
    confirm = client.get(url)
    assert "This cannot be undone." in confirm.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_at is None  # looking at the page revokes nothing

    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 422
    done = client.post(url, {"reason": "Quiz passé par un tiers"}, follow=True)
    assert "The certificate is revoked." in done.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "Quiz passé par un tiers"
    public = client.get(reverse("verify:certificate", args=[certificate.code]))
    assert "This certificate was revoked." in public.content.decode()


def test_the_manager_downloads_the_pdf(client, manager, three):
    response = client.get(reverse("training:certificate_pdf", args=[three["valid"].pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_the_partner_page_shows_the_partners_certificates(client, manager, three):
    partner = three["expired"].partner
    page = client.get(reverse("partners:detail", args=[partner.pk]))
    text = page.content.decode()
    assert 'id="partner-certificates"' in text
    assert "Conformité" in text
    assert "Expired" in text
    other = client.get(reverse("partners:detail", args=[PartnerFactory.create().pk]))
    assert 'id="partner-certificates"' not in other.content.decode()


def test_a_partner_user_reaches_none_of_it(client, three):
    client.force_login(partner_user(three["valid"].partner))
    pk = three["valid"].pk
    for name, args in [
        ("training:certificates", []),
        ("training:certificates_export", []),
        ("training:certificate_pdf", [pk]),
        ("training:certificate_revoke", [pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 403
    assert (
        client.post(reverse("training:certificate_revoke", args=[pk]), {"reason": "x"}).status_code
        == 403
    )
    three["valid"].refresh_from_db()
    assert three["valid"].revoked_at is None
