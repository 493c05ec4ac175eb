"""A partner edits its details; a new IBAN takes effect only once confirmed by e-mail."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from relais.core.audit import audit_trail
from relais.partners.models import PendingBankChange
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db
OLD_IBAN = "FR1420041010050500013M02606"
NEW_IBAN = "FR7630006000011234567890189"


@pytest.fixture
def partner_client(client):
    partner = PartnerFactory(iban=OLD_IBAN, email="officiel@example.fr")
    user = partner_user(partner)
    client.force_login(user)
    return client, partner, user


def post_profile(client, **changes):
    data = {
        "phone": "",
        "address_line": "1 rue de la Paix",
        "postcode": "69003",
        "city": "Lyon",
        "iban": OLD_IBAN,
        "bic": "",
    }
    return client.post("/portal/profile/", {**data, **changes})


def test_contact_details_change_at_once_and_are_audited(partner_client):
    client, partner, user = partner_client
    assert post_profile(client, phone="06 12 34 56 78").status_code == 302
    partner.refresh_from_db()
    assert partner.phone == "+33612345678"
    assert audit_trail(partner).first().actor == user


def test_a_new_iban_waits_for_the_confirmation_link(
    partner_client, django_capture_on_commit_callbacks
):
    client, partner, user = partner_client
    with django_capture_on_commit_callbacks(execute=True):
        post_profile(client, iban=NEW_IBAN)
    partner.refresh_from_db()
    assert partner.iban == OLD_IBAN
    message = mail.outbox[-1]
    assert set(message.to) == {"officiel@example.fr", user.email}
    assert "0189" in message.body
    path = re.search(r"http://testserver(/portal/profile/bank/\S+/)", message.body).group(1)
    assert client.get(path).status_code == 200
    client.post(path)
    partner.refresh_from_db()
    assert partner.iban == NEW_IBAN
    assert "…0189" in str(audit_trail(partner).first().changes)
    client.post(path)  # a second use changes nothing and says so
    assert PendingBankChange.objects.get().confirmed_at is not None


def test_an_expired_or_foreign_link_changes_nothing(
    partner_client, django_capture_on_commit_callbacks, client
):
    own_client, partner, _user = partner_client
    with django_capture_on_commit_callbacks(execute=True):
        post_profile(own_client, iban=NEW_IBAN)
    path = re.search(r"http://testserver(/portal/profile/bank/\S+/)", mail.outbox[-1].body).group(1)
    other = partner_user(PartnerFactory())
    own_client.force_login(other)
    own_client.post(path)
    PendingBankChange.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    own_client.force_login(partner.members.first().user)
    own_client.post(path)
    partner.refresh_from_db()
    assert partner.iban == OLD_IBAN


def test_a_bad_iban_is_named_and_nothing_changes(partner_client):
    client, partner, _user = partner_client
    response = post_profile(client, iban="FR0000000000000000000000000", phone="06 12 34 56 78")
    assert response.status_code == 422
    assert "FR0000000000000000000000000" in response.content.decode()
    partner.refresh_from_db()
    assert partner.phone == ""
    assert not PendingBankChange.objects.exists()


def test_a_professional_gives_its_e_invoicing_address_and_a_wrong_one_is_refused(client):
    partner = PartnerFactory(reseller=True, iban=OLD_IBAN)
    client.force_login(partner_user(partner))
    assert 'name="einvoice_address"' in client.get("/portal/profile/").content.decode()
    refused = post_profile(client, einvoice_address="552100554_FACTURES")  # another's SIREN
    assert refused.status_code == 422
    assert refused.context["form"].errors["einvoice_address"]
    partner.refresh_from_db()
    assert partner.einvoice_address == ""
    assert post_profile(client, einvoice_address=f"{partner.siren}_FACTURES").status_code == 302
    partner.refresh_from_db()
    assert partner.einvoice_address == f"{partner.siren}_FACTURES"


def test_a_private_individual_is_not_asked_for_an_e_invoicing_address(partner_client):
    client, _partner, _user = partner_client
    assert 'name="einvoice_address"' not in client.get("/portal/profile/").content.decode()
