"""PDF copies of signed documents, for both sides (WeasyPrint: HTML → PDF)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from relais.partners.models import Signature


def signature_pdf(signature: Signature) -> bytes:
    """The exact text signed, then the proof: signer, date, IP, browser, SHA-256 of the text."""
    from weasyprint import HTML  # imported here: Pango is needed only when a PDF is made

    html = render_to_string(
        "partners/pdf/signature.html",
        {"signature": signature, "company": settings.RELAIS_COMPANY_NAME},
    )
    return bytes(HTML(string=html).write_pdf())


def signature_filename(signature: Signature) -> str:
    return f"{signature.template.kind}-v{signature.template.version}-{signature.partner_id}.pdf"


def signature_response(signature: Signature) -> HttpResponse:
    """The signed PDF as a download, for the manager's page and the partner's portal alike."""
    response = HttpResponse(signature_pdf(signature), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{signature_filename(signature)}"'
    return response
