"""Intake pages (portal, referral link, staff), the review queue, the prospect's page, GDPR."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from relais.core.audit import audit_trail
from relais.leads import services
from relais.leads.gdpr import prospect_token, retention_purge
from relais.leads.models import Lead, ProspectKey, Suppression
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db
QUICK = {"last_name": "Bernard", "phone": "06 11 22 33 44", "postcode": "31000"}


def test_an_introducer_passes_a_lead_from_the_portal(client):
    partner = PartnerFactory()
    client.force_login(partner_user(partner))
    assert client.post("/portal/leads/new/", QUICK).status_code == 302
    lead = Lead.objects.get()
    assert (lead.partner, lead.channel, lead.phone, lead.departement_id) == (
        partner,
        "portal",
        "+33611223344",
        "31",
    )
    page = client.get("/portal/leads/").content.decode()
    assert "Bernard" in page


def test_the_portal_form_names_a_bad_postcode(client):
    client.force_login(partner_user(PartnerFactory()))
    response = client.post("/portal/leads/new/", {**QUICK, "postcode": "3100"})
    assert response.status_code == 422
    assert "3100" in response.content.decode()
    assert not Lead.objects.exists()


def test_the_public_link_attributes_the_lead_and_shows_the_notice(client):
    partner = PartnerFactory(referral_code="abcd2345")
    page = client.get("/r/abcd2345/")
    assert 'id="gdpr-notice"' in page.content.decode()
    response = client.post(
        "/r/abcd2345/",
        {**QUICK, "email": "bernard@orange.fr", "consent_phone": "on", "website": ""},
    )
    assert response.status_code == 200
    lead = Lead.objects.get()
    assert (lead.partner, lead.channel, lead.consent_phone, lead.consent_marketing) == (
        partner,
        "referral_link",
        True,
        False,
    )


def test_the_honeypot_keeps_nothing_and_an_unknown_code_is_404(client):
    PartnerFactory(referral_code="abcd2345")
    client.post("/r/abcd2345/", {**QUICK, "website": "http://spam.example"})
    assert not Lead.objects.exists()
    assert client.get("/r/nope1234/").status_code == 404
    PartnerFactory(referral_code="paused23", status="paused")
    assert client.get("/r/paused23/").status_code == 404


def test_the_public_link_is_rate_limited(client, settings):
    settings.RELAIS_REFERRAL_MAX_PER_HOUR = 2
    PartnerFactory(referral_code="abcd2345")
    codes = [
        client.post(
            "/r/abcd2345/", {**QUICK, "phone": f"06 11 22 33 4{i}", "website": ""}
        ).status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]
    assert Lead.objects.count() == 2


# Transactional: the real task worker runs here, and it closes the connection it used.
@pytest.mark.django_db(transaction=True)
def test_the_prospect_notice_names_the_introducer_and_is_sent_once():
    partner = PartnerFactory(company_name="", first_name="Alice", last_name="Apporteuse")
    lead = services.lead_submit(
        data={**QUICK, "email": "bernard@orange.fr"}, channel="portal", partner=partner
    )
    call_command("start_schedules", verbosity=0)  # arms the notice sweep, among others
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    from relais.leads.tasks import send_prospect_notice

    assert send_prospect_notice.call(lead.pk) is False  # a second run sends nothing
    assert len(mail.outbox) == 1
    assert "Alice Apporteuse" in mail.outbox[0].body
    assert "/p/" in mail.outbox[0].body


def test_the_prospect_objects_then_erases_from_the_signed_page(client):
    lead = services.lead_submit(
        data={**QUICK, "email": "bernard@orange.fr"}, channel="portal", partner=PartnerFactory()
    )
    url = f"/p/{prospect_token(lead)}/"
    assert "bernard@orange.fr" in client.get(url).content.decode()
    client.post(url, {"action": "object"})
    assert set(Suppression.objects.values_list("value", flat=True)) == {
        "bernard@orange.fr",
        "+33611223344",
    }
    assert (
        services.lead_submit(
            data={**QUICK, "email": "bernard@orange.fr"}, channel="portal", partner=PartnerFactory()
        ).review_reason
        == "suppressed"
    )
    client.post(url, {"action": "erase"})
    assert not Lead.objects.filter(email="bernard@orange.fr").exists()
    assert not ProspectKey.objects.filter(value="bernard@orange.fr").exists()
    assert client.get(url).status_code == 404
    assert audit_trail(lead).filter(action="gdpr_erasure").exists()
    assert client.get("/p/forged-token/").status_code == 404


def test_prospects_are_anonymised_three_years_after_their_last_contact():
    old = services.lead_submit(data={**QUICK, "email": "vieux@orange.fr"}, channel="portal")
    recent = services.lead_submit(
        data={**QUICK, "email": "recent@orange.fr", "phone": ""}, channel="portal"
    )
    Lead.objects.filter(pk=old.pk).update(
        last_prospect_contact_at=timezone.now() - timedelta(days=3 * 366)
    )
    assert retention_purge() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.email, old.last_name, old.anonymised_at is not None) == ("", "", True)
    assert recent.email == "recent@orange.fr"


def test_staff_entry_list_filters_and_detail(client, manager):
    partner = PartnerFactory(referral_code="abcd2345")
    client.force_login(manager)
    response = client.post(
        "/leads/new/",
        {**QUICK, "company_name": "ACME", "partner_code": "abcd2345", "estimated_value": "12 000"},
    )
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert (lead.partner, lead.channel, str(lead.estimated_value)) == (partner, "staff", "12000.00")
    services.lead_submit(
        data={**QUICK, "phone": "0699999999", "postcode": "75011"}, channel="staff"
    )
    assert len(client.get("/leads/?departement=31").context["page"]) == 1
    assert len(client.get("/leads/?channel=staff").context["page"]) == 2
    detail = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "ACME" in detail
    csv_body = b"".join(client.get("/leads/?format=csv").streaming_content).decode("utf-8-sig")
    assert csv_body.count("\n") == 3


def test_the_review_queue_settles_a_conflict(client, manager):
    first = services.lead_submit(data={**QUICK}, channel="portal", partner=PartnerFactory())
    second = services.lead_submit(data={**QUICK}, channel="portal", partner=PartnerFactory())
    client.force_login(manager)
    page = client.get("/leads/review/").content.decode()
    assert first.partner.display_name in page
    assert second.partner.display_name in page
    client.post(f"/leads/{second.pk}/review/", {"decision": "first", "note": "Premier arrivé"})
    second.refresh_from_db()
    assert (second.status, second.rejection_reason) == ("rejected", "duplicate")


def test_a_partner_user_cannot_reach_staff_lead_pages(client):
    lead = services.lead_submit(data=QUICK, channel="portal", partner=PartnerFactory())
    client.force_login(partner_user(lead.partner))
    for url in ("/leads/", f"/leads/{lead.pk}/", "/leads/review/", "/leads/new/"):
        assert client.get(url).status_code == 403, url
