"""The one PDF helper: the document's language is the one asked for, whoever downloads it, and an
invoice comes out as the PDF/A-3 Factur-X needs."""

from __future__ import annotations

import copy
import io
from pathlib import Path

import pytest
from django.utils import translation
from pypdf import PdfReader

from relais.core.pdf import render_pdf


@pytest.fixture
def template(settings, tmp_path: Path) -> str:
    (tmp_path / "doc.html").write_text(
        '{% load i18n %}<p>{% translate "Reseller" %} {{ name }}</p>', encoding="utf-8"
    )
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    return "doc.html"


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_document_fixed_in_french_is_french_from_an_english_session(template):
    with translation.override("en"):
        assert "Revendeur Dupont" in _text(render_pdf(template, {"name": "Dupont"}, language="fr"))


def test_a_document_without_a_fixed_language_follows_the_session(template):
    with translation.override("en"):
        assert "Reseller Dupont" in _text(render_pdf(template, {"name": "Dupont"}))
    with translation.override("fr"):
        assert "Revendeur Dupont" in _text(render_pdf(template, {"name": "Dupont"}))


def test_the_invoice_variant_is_a_pdf_a_3(template):
    pdf = render_pdf(template, {"name": "Dupont"}, variant="pdf/a-3b")
    xmp = PdfReader(io.BytesIO(pdf)).xmp_metadata
    assert xmp is not None
    metadata = xmp.stream.get_data()
    assert b'pdfaid:part="3"' in metadata
    assert b'pdfaid:conformance="B"' in metadata
    plain = PdfReader(io.BytesIO(render_pdf(template, {"name": "Dupont"}))).xmp_metadata
    assert plain is None
