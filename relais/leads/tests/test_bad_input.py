"""Bad input never reaches the database: over-long fields, NUL bytes and lone surrogates are
refused with the field named, on every lead channel (API, bulk, forms, import)."""

import json

import pytest
from django.core import mail
from django.utils import translation

from relais.leads import services
from relais.leads.models import Lead, LeadEvent
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db
LEAD = {"last_name": "Martin", "email": "martin@orange.fr", "postcode": "69003"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def post_json(client, url, raw):
    """``raw`` is sent as written: a JSON ``\\ud800`` escape reaches the server as such."""
    return client.post(url, raw, content_type="application/json", headers={"Accept-Language": "en"})


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("last_name", "x" * 101, "100"),
        ("company_name", "x" * 201, "200"),
        ("city", "x" * 101, "100"),
        ("need", "x" * 1_000_000, "10000"),
        ("email", "a" * 230 + "@orange.fr", "220"),
        ("last_name", "Mar\x00tin", "NUL"),
        ("need", "PAC\x00", "NUL"),
        ("city", "Lyon\ud800", "surrogate"),
    ],
)
def test_the_api_refuses_bad_text_with_a_422_naming_the_field(api_client, field, value, words):
    client = api_client(partner_user(PartnerFactory()))
    response = post_json(client, "/api/v1/leads", json.dumps({**LEAD, field: value}))
    assert response.status_code == 422
    message = response.json()["error"]["fields"][field]
    assert words in message.replace(",", "").replace("\u202f", "")
    assert not Lead.objects.exists()


def test_an_email_that_fits_as_typed_but_not_once_in_ascii_is_refused(api_client):
    # 193 characters typed; its domain in ASCII (IDNA) makes it 223, over the prospect key's 220.
    email = "a" * 60 + "@" + ".".join(["é" * 25] * 5) + ".fr"
    client = api_client(partner_user(PartnerFactory()))
    response = post_json(client, "/api/v1/leads", json.dumps({**LEAD, "email": email}))
    assert response.status_code == 422
    assert "220" in response.json()["error"]["fields"]["email"]
    assert not Lead.objects.exists()


def test_a_lone_surrogate_escape_in_the_json_is_refused_naming_the_field(api_client):
    client = api_client(partner_user(PartnerFactory()))
    raw = '{"last_name": "\\ud800", "email": "martin@orange.fr", "postcode": "69003"}'
    response = post_json(client, "/api/v1/leads", raw)
    assert response.status_code == 422
    assert "last_name" in response.json()["error"]["fields"]
    assert not Lead.objects.exists()


def test_bulk_refuses_the_bad_item_alone(api_client, manager):
    items = [dict(LEAD), {**LEAD, "email": "b@orange.fr", "need": "n\x00"}]
    response = post_json(api_client(manager), "/api/v1/leads/bulk", json.dumps({"items": items}))
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["invalid"]) == (1, 1)
    assert "NUL" in body["results"][1]["errors"]["need"]
    assert Lead.objects.count() == 1


def test_a_nul_in_the_referral_code_is_an_error_not_a_crash(api_client, manager):
    response = post_json(
        api_client(manager), "/api/v1/leads", json.dumps({**LEAD, "partner_code": "ab\x00"})
    )
    assert response.status_code == 422
    assert "partner_code" in response.json()["error"]["fields"]


def test_a_transition_note_too_long_or_with_a_nul_is_refused(api_client, manager):
    lead = services.lead_submit(data=dict(LEAD), channel="staff", salesperson=manager)
    client = api_client(manager)
    for note in ("x" * 10_001, "a\x00b"):
        response = post_json(
            client,
            f"/api/v1/leads/{lead.pk}/transitions",
            json.dumps({"to": "qualified", "note": note}),
        )
        assert response.status_code == 422, note[:5]
        assert "note" in response.json()["error"]["fields"]
    lead.refresh_from_db()
    assert lead.status == "submitted"
    assert not LeadEvent.objects.filter(lead=lead, kind="status").exists()


def test_the_staff_form_shows_the_error_on_the_field(client, manager):
    client.force_login(manager)
    response = client.post(
        "/leads/new/",
        {
            "last_name": "Martin",
            "email": "martin@orange.fr",
            "postcode": "69003",
            "need": "x" * 20_000,
        },
    )
    assert response.status_code == 422
    assert "10,000" in response.content.decode() or "10000" in response.content.decode()
    assert not Lead.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_import_reports_the_over_long_fields_of_a_row_and_creates_the_others(client, manager):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from relais.leads.models import LeadImport

    lines = [
        "Nom;Courriel;Code postal;Besoin",
        "Martin;martin@orange.fr;69003;Isolation",
        f"{'N' * 150};long@orange.fr;69003;{'b' * 20_000}",
    ]
    client.force_login(manager)
    upload = SimpleUploadedFile("leads.csv", ("\n".join(lines) + "\n").encode())
    client.post("/leads/import/", {"file": upload})
    batch = LeadImport.objects.get()
    data = {"action": "import", "mode": "valid_only"}
    data |= {f"map_{f}": h for f, h in batch.mapping.items()}
    client.post(f"/leads/import/{batch.pk}/", data)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    batch.refresh_from_db()
    assert (batch.state, batch.created, batch.invalid) == ("done", 1, 1)
    (error,) = batch.errors.all()
    assert error.row == 3
    assert "100" in error.fields["last_name"]
    assert "10000" in error.fields["need"]
    assert list(Lead.objects.values_list("email", flat=True)) == ["martin@orange.fr"]


def inbound(client, settings, payload):
    settings.RELAIS_INBOUND_EMAIL_SECRET = "s3cret"
    return client.post(
        "/inbound/email/s3cret/", json.dumps(payload), content_type="application/json"
    )


def test_an_email_with_an_over_long_name_gets_the_error_back(
    client, settings, django_capture_on_commit_callbacks
):
    PartnerFactory(email="apporteur@exemple-partenaire.fr")
    body = f"Nom : {'N' * 150}\nTéléphone : 06 12 34 56 78\nCode postal : 33000"
    with django_capture_on_commit_callbacks(execute=True):
        response = inbound(
            client, settings, {"from": "apporteur@exemple-partenaire.fr", "text": body}
        )
    assert response.json() == {"outcome": "invalid"}
    assert "100" in mail.outbox[0].body
    assert not Lead.objects.exists()


def test_an_email_whose_id_sender_or_subject_cannot_be_stored_is_no_server_error(
    client, settings, django_capture_on_commit_callbacks
):
    PartnerFactory(email="apporteur@exemple-partenaire.fr")
    with django_capture_on_commit_callbacks(execute=True):
        refused = inbound(
            client,
            settings,
            {"From": "a" * 300 + "@orange.fr", "MessageID": "m\x00", "TextBody": "Nom : X"},
        )
        invalid = inbound(
            client,
            settings,
            {
                "from": "apporteur@exemple-partenaire.fr",
                "subject": "Lead \ud800",
                "text": "Nom : X",
            },
        )
    assert refused.json() == {"outcome": "refused"}
    assert invalid.json() == {"outcome": "invalid"}
    assert [m.to for m in mail.outbox] == [["apporteur@exemple-partenaire.fr"]]
    assert not Lead.objects.exists()
