"""Templates, click-to-sign with its proof, PDFs, new versions, declarations."""

import hashlib
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from relais.core.errors import DomainError, TransitionError
from relais.partners import services
from relais.partners.models import ContractTemplate
from relais.partners.pdf import signature_pdf
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def sign(partner, kind, user):
    template = ContractTemplate.objects.filter(kind=kind).order_by("-version").first()
    return services.signature_sign(
        partner=partner, template=template, user=user, ip="203.0.113.9", user_agent="Firefox/140"
    )


def test_a_signature_keeps_the_exact_text_its_hash_ip_and_browser():
    partner = PartnerFactory(
        first_name="Léa", last_name="Martin", postcode="33000", city="Bordeaux"
    )
    user = partner_user(partner)
    signature = sign(partner, "introducer_contract", user)
    assert "Léa Martin" in signature.text
    assert "33000 Bordeaux" in signature.text
    assert "{{" not in signature.text
    assert signature.text_sha256 == hashlib.sha256(signature.text.encode()).hexdigest()
    assert (signature.ip, signature.user_agent, signature.signed_by) == (
        "203.0.113.9",
        "Firefox/140",
        user,
    )
    assert signature.expires_at.year == signature.signed_at.year + 1


def test_the_pdf_shows_the_text_the_hash_and_the_date():
    from pypdf import PdfReader

    partner = PartnerFactory()
    signature = sign(partner, "coi_policy", partner_user(partner))
    pdf = signature_pdf(signature)
    assert pdf.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert signature.text_sha256 in text.replace("\n", "")
    assert str(signature.signed_at.year) in text
    assert "CONFLITS D'INTÉRÊTS" in text


def test_signing_twice_or_an_unrelated_document_is_refused():
    partner = PartnerFactory()
    user = partner_user(partner)
    sign(partner, "coi_policy", user)
    with pytest.raises(DomainError) as excinfo:
        sign(partner, "coi_policy", user)
    assert excinfo.value.code == "already_signed"
    with pytest.raises(DomainError) as excinfo:
        sign(partner, "reseller_agreement", user)  # an introducer is not asked for it
    assert excinfo.value.code == "not_offered"


# Transactional: the real task worker runs here, and it closes the connection it used.
@pytest.mark.django_db(transaction=True)
def test_a_new_version_asks_active_partners_to_sign_again(manager):
    partner = PartnerFactory()
    user = partner_user(partner)
    old = sign(partner, "introducer_contract", user).template
    sign(partner, "coi_policy", user)
    assert services.missing_documents(partner) == []
    new = services.template_publish(
        kind="introducer_contract",
        title=old.title,
        body=old.body + "\n11. Nouvelle clause.",
        valid_months=12,
        actor=manager,
    )
    assert new.version == old.version + 1
    assert services.missing_documents(partner) == [new]
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert new.title in mail.outbox[0].subject
    with pytest.raises(DomainError) as excinfo:
        services.signature_sign(partner=partner, template=old, user=user, ip=None, user_agent="")
    assert excinfo.value.code == "stale_version"
    assert f"version {new.version}" in excinfo.value.message


def test_template_warnings_flag_requalification_risks_but_not_negations():
    assert (
        services.template_warnings(
            ContractTemplate.objects.get(kind="introducer_contract", version=1).body
        )
        == []
    )
    warnings = services.template_warnings(
        "L'apporteur peut négocier les prix. Il respecte les horaires du bureau. "
        "Tout retard entraîne une pénalité. Bonjour {{ partner_nom }}."
    )
    text = " ".join(warnings)
    assert "power to negotiate" in text
    assert "working hours" in text
    assert "sanctions" in text
    assert "partner_nom" in text


def test_declarations_are_reviewed_once(manager):
    partner = PartnerFactory()
    user = partner_user(partner)
    with pytest.raises(DomainError):
        services.declaration_submit(partner=partner, user=user, has_conflict=True, description=" ")
    declaration = services.declaration_submit(
        partner=partner, user=user, has_conflict=True, description="Mon frère dirige un concurrent."
    )
    with pytest.raises(DomainError):
        services.declaration_review(
            declaration=declaration, status="mitigated", note="", actor=manager
        )
    services.declaration_review(
        declaration=declaration,
        status="mitigated",
        note="Pas de leads de ce secteur.",
        actor=manager,
    )
    declaration.refresh_from_db()
    assert (declaration.status, declaration.reviewed_by) == ("mitigated", manager)
    with pytest.raises(TransitionError):
        services.declaration_review(
            declaration=declaration, status="refused", note="x", actor=manager
        )
