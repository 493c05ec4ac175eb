"""What a prospect reads: the referral form (its honeypot's label in their language) and the
page of their data (the consents they gave; the project only when there is one)."""

import re

import pytest

from relais.leads import services
from relais.leads.gdpr import prospect_token
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
QUICK = {"last_name": "Bernard", "phone": "06 11 22 33 44", "postcode": "31000"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_honeypots_label_is_in_the_readers_language(client):
    PartnerFactory(referral_code="abcd2345")
    english = client.get("/r/abcd2345/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'<label for="id_website">Leave this field empty', english)
    french = client.get("/r/abcd2345/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert ">Website<" not in french


def test_the_prospect_page_shows_the_consents_given_and_no_empty_project(client):
    lead = services.lead_submit(
        data={**QUICK, "email": "bernard@orange.fr"},
        channel="referral_link",
        partner=PartnerFactory(),
        consent_phone=True,
    )
    page = _text(
        client.get(f"/p/{prospect_token(lead)}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert "You agreed to be called about your project." in page
    assert "You did not agree to receive offers by e-mail." in page
    assert "Project" not in page  # nothing was said of it
    with_need = services.lead_submit(
        data={**QUICK, "email": "petit@orange.fr", "phone": "", "need": "Isolation des combles"},
        channel="portal",
        partner=PartnerFactory(),
    )
    page = _text(
        client.get(f"/p/{prospect_token(with_need)}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert "Project Isolation des combles" in page


def test_the_prospects_two_buttons_are_spaced_apart(client):
    lead = services.lead_submit(
        data={**QUICK, "email": "bernard@orange.fr"}, channel="portal", partner=PartnerFactory()
    )
    page = client.get(f"/p/{prospect_token(lead)}/").content.decode()
    form = re.search(r'<form method="post"([^>]*)>.*?value="object".*?value="erase"', page, re.S)
    assert form is not None
    assert 'class="quick-actions"' in form.group(1)  # a flex row with a gap (relais.css)
