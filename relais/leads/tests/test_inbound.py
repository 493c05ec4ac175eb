"""Leads by e-mail: the provider webhook and an mbox read by a command."""

import mailbox
from email.message import EmailMessage

import pytest
from django.core import mail
from django.core.management import call_command

from relais.leads.inbound import parse_fields
from relais.leads.models import Lead
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
BODY = "Bonjour,\n\nNom : Jean Dupont\nTéléphone : 06 12 34 56 78\nCode postal : 33000\nBesoin : pompe à chaleur\n\nMerci"


def test_labels_are_read_in_french_or_english():
    assert parse_fields(BODY) == {
        "last_name": "Jean Dupont",
        "phone": "06 12 34 56 78",
        "postcode": "33000",
        "need": "pompe à chaleur",
    }
    assert parse_fields("Name: Ann\nPhone: 0612345678\nPostcode: 75011")["postcode"] == "75011"


def test_the_webhook_turns_a_partners_mail_into_a_lead_once(
    client, settings, django_capture_on_commit_callbacks
):
    settings.RELAIS_INBOUND_EMAIL_SECRET = "s3cret"
    partner = PartnerFactory(email="apporteur@exemple-partenaire.fr")
    payload = {
        "From": "Apporteur <Apporteur@exemple-partenaire.fr>",
        "Subject": "Lead",
        "TextBody": BODY,
        "MessageID": "m-1",
    }
    response = client.post("/inbound/email/s3cret/", payload, content_type="application/json")
    assert response.json() == {"outcome": "created"}
    lead = Lead.objects.get()
    assert (lead.partner, lead.channel, lead.phone) == (partner, "email", "+33612345678")
    again = client.post("/inbound/email/s3cret/", payload, content_type="application/json")
    assert again.json() == {"outcome": "already_handled"}
    assert Lead.objects.count() == 1
    assert (
        client.post("/inbound/email/wrong/", payload, content_type="application/json").status_code
        == 403
    )


def test_an_unknown_sender_gets_a_polite_refusal(
    client, settings, django_capture_on_commit_callbacks
):
    settings.RELAIS_INBOUND_EMAIL_SECRET = "s3cret"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/inbound/email/s3cret/",
            {"from": "inconnu@orange.fr", "subject": "Un client", "text": BODY},
            content_type="application/json",
        )
    assert not Lead.objects.exists()
    assert mail.outbox[0].to == ["inconnu@orange.fr"]
    assert "partenaires" in mail.outbox[0].body


def test_a_partner_gets_the_errors_back(client, settings, django_capture_on_commit_callbacks):
    settings.RELAIS_INBOUND_EMAIL_SECRET = "s3cret"
    PartnerFactory(email="apporteur@exemple-partenaire.fr")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/inbound/email/s3cret/",
            {"from": "apporteur@exemple-partenaire.fr", "text": "Nom : Jean\nCode postal : 3300"},
            content_type="application/json",
        )
    assert not Lead.objects.exists()
    assert "3300" in mail.outbox[0].body


def test_the_command_reads_an_mbox_once(tmp_path, capsys):
    partner = PartnerFactory(email="apporteur@exemple-partenaire.fr")
    box = mailbox.mbox(tmp_path / "leads.mbox")
    for number, sender in enumerate(["apporteur@exemple-partenaire.fr", "inconnu@orange.fr"]):
        message = EmailMessage()
        message["From"], message["Subject"], message["Message-ID"] = (
            sender,
            "Lead",
            f"<m{number}@test>",
        )
        message.set_content(BODY)
        box.add(message)
    box.flush()
    call_command("read_lead_mail", "--mbox", str(tmp_path / "leads.mbox"))
    call_command("read_lead_mail", "--mbox", str(tmp_path / "leads.mbox"))
    out = capsys.readouterr().out
    assert "1 created, 1 refused" in out
    assert "2 already_handled" in out
    assert Lead.objects.get().partner == partner


def test_purge_command_reports(capsys):
    call_command("purge_prospects")
    assert "0 prospects anonymised" in capsys.readouterr().out
