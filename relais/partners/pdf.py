"""PDF copies of signed documents, for both sides."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse

from relais.core.http import attachment
from relais.core.pdf import render_pdf
from relais.partners.models import Signature


def signature_pdf(signature: Signature) -> bytes:
    """The exact text signed, then the proof: signer, date, IP, browser, SHA-256 of the text."""
    context = {"signature": signature, "company": settings.RELAIS_COMPANY_NAME}
    return render_pdf("partners/pdf/signature.html", context)


def signature_filename(signature: Signature) -> str:
    return f"{signature.template.kind}-v{signature.template.version}-{signature.partner_id}.pdf"


def signature_response(signature: Signature) -> HttpResponse:
    """The signed PDF as a download, for the manager's page and the partner's portal alike."""
    return attachment(signature_pdf(signature), "application/pdf", signature_filename(signature))
