"""Bad input never reaches the partner table: NUL bytes, lone surrogates and over-long text are
refused with the field named (API 422, form error, import row error); refused forms answer 422."""

import json

import pytest
from django.utils import translation

from relais.partners.models import ContractTemplate, Partner
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
NEW_PARTNER = {
    "kind": "introducer",
    "legal_form": "micro",
    "tax_regime": "vat_franchise",
    "company_name": "Martin Conseil EI",
    "email": "martin@example.fr",
    "postcode": "44000",
}
FORM = {
    "kind": "introducer",
    "legal_form": "individual",
    "status": "candidate",
    "tax_regime": "bnc_non_pro",
    "first_name": "Léa",
    "last_name": "Martin",
    "email": "lea@example.fr",
    "postcode": "33000",
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def send(client, method, url, body):
    raw = body if isinstance(body, str) else json.dumps(body)
    return getattr(client, method)(
        url, raw, content_type="application/json", headers={"Accept-Language": "en"}
    )


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("last_name", "x" * 101, "100"),
        ("company_name", "x" * 201, "200"),
        ("email", "a" * 250 + "@example.fr", "254"),
        ("company_name", "Martin\x00", "NUL"),
        ("city", "Nantes\ud800", "surrogate"),
        ("phone", "06\x0012", "NUL"),
    ],
)
def test_the_api_refuses_bad_text_naming_the_field(api_client, manager, field, value, words):
    response = send(api_client(manager), "post", "/api/v1/partners", {**NEW_PARTNER, field: value})
    assert response.status_code == 422
    assert words in response.json()["error"]["fields"][field]
    assert not Partner.objects.exists()


def test_a_lone_surrogate_escape_in_a_patch_is_refused(api_client, manager):
    partner = PartnerFactory(city="Nantes")
    response = send(
        api_client(manager), "patch", f"/api/v1/partners/{partner.pk}", '{"city": "\\udc00"}'
    )
    assert response.status_code == 422
    assert "surrogate" in response.json()["error"]["fields"]["city"]
    partner.refresh_from_db()
    assert partner.city == "Nantes"


def test_a_nul_in_a_served_departement_is_refused(api_client, manager):
    body = {
        **NEW_PARTNER,
        "kind": "reseller",
        "legal_form": "company",
        "tax_regime": "vat_liable",
        "served_departements": ["69\x00"],
    }
    response = send(api_client(manager), "post", "/api/v1/partners", body)
    assert response.status_code == 422
    assert "served_departements" in response.json()["error"]["fields"]
    assert not Partner.objects.exists()


def test_a_status_reason_too_long_or_with_a_nul_is_refused(api_client, manager):
    partner = PartnerFactory(status="active")
    for reason in ("x" * 10_001, "a\x00b"):
        response = send(
            api_client(manager),
            "post",
            f"/api/v1/partners/{partner.pk}/transitions",
            {"to": "paused", "reason": reason},
        )
        assert response.status_code == 422
        assert "reason" in response.json()["error"]["fields"]
    partner.refresh_from_db()
    assert partner.status == "active"


def test_an_invalid_partner_form_answers_422(client, manager):
    client.force_login(manager)
    response = client.post("/partners/new/", {**FORM, "email": ""})
    assert response.status_code == 422
    assert response.context["form"].errors["email"]
    partner = PartnerFactory()
    response = client.post(f"/partners/{partner.pk}/edit/", {**FORM, "kind": "nope"})
    assert response.status_code == 422
    assert not Partner.objects.exclude(pk=partner.pk).exists()


def test_an_invalid_scorecard_answers_422(client, manager):
    partner = PartnerFactory(status="candidate")
    client.force_login(manager)
    response = client.post(
        f"/partners/{partner.pk}/scorecard/", {"action": "decide", "decision": "nope"}
    )
    assert response.status_code == 422
    assert response.context["decision_form"].errors["decision"]


def test_an_invalid_contract_template_answers_422(client, manager):
    kind = ContractTemplate.objects.values_list("kind", flat=True).first()
    client.force_login(manager)
    before = ContractTemplate.objects.count()
    response = client.post(
        f"/partners/templates/{kind}/new/", {"action": "publish", "title": "", "body": ""}
    )
    assert response.status_code == 422
    assert ContractTemplate.objects.count() == before


def test_a_dispute_with_pages_of_parties_is_refused_on_the_form(client, manager):
    partner = PartnerFactory()
    client.force_login(manager)
    response = client.post(
        f"/partners/{partner.pk}/compliance/",
        {"action": "dispute", "subject": "Commission", "parties": "x" * 20_000},
    )
    assert response.status_code == 422
    assert "10000" in str(response.context["dispute_form"].errors["parties"])
    assert not partner.disputes.exists()


def test_a_decision_note_too_long_is_refused_on_the_form(client, manager):
    partner = PartnerFactory(status="candidate")
    client.force_login(manager)
    response = client.post(
        f"/partners/{partner.pk}/scorecard/",
        {"action": "decide", "decision": "reject", "note": "x" * 20_000},
    )
    assert response.status_code == 422
    assert "10000" in str(response.context["decision_form"].errors["note"])
    partner.refresh_from_db()
    assert partner.status == "candidate"
