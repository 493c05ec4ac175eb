"""The certificate PDF: a real PDF with the partner's name, the module, the code, the expiry
and a QR code, in the partner's language."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from relais.engagement.models import Preference
from relais.testing.factories import PartnerFactory
from relais.training.certificates import certificate_issue, certificate_pdf
from relais.training.choices import Validity
from relais.training.models import Module

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return " ".join(page.extract_text() for page in reader.pages)


def make_certificate(validity=Validity.TWO_YEARS, **partner_fields):
    partner = PartnerFactory.create(first_name="Camille", last_name="Durand", **partner_fields)
    module = Module.objects.create(title="Travailler ses leads", validity=validity, published=True)
    return certificate_issue(partner=partner, module=module)


def test_the_pdf_holds_the_name_the_module_the_code_and_a_qr_code_in_french():
    certificate = make_certificate()
    content = certificate_pdf(certificate)
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    assert "Camille Durand" in text
    assert "Travailler ses leads" in text
    assert certificate.code in text
    assert "Code de vérification" in text  # French, whatever the active language
    assert f"/verify/{certificate.code}/" in text
    reader = PdfReader(BytesIO(content))
    assert any(page.images for page in reader.pages)  # the QR code
    assert len(reader.pages) == 1


def test_the_pdf_is_in_english_for_a_partner_who_chose_english_and_says_no_expiry():
    certificate = make_certificate(validity=Validity.FOREVER)
    Preference.objects.create(partner=certificate.partner, language="en")
    text = pdf_text(certificate_pdf(certificate))
    assert "Verification code" in text
    assert "No expiry" in text
