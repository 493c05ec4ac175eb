"""Every PDF the product makes goes through here: a template rendered to HTML, then WeasyPrint.

One place so that the engine, its options and the language rule are the same for a statement, an
invoice, a signed contract and a yearly review, and so that a change of engine touches one file.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(
    template_name: str,
    context: Mapping[str, Any],
    *,
    language: str | None = None,
    variant: str | None = None,
    base_url: str | None = None,
) -> bytes:
    """The PDF of `template_name` rendered with `context`.

    `language` fixes the document's language whoever asks for it (a statement is a French legal
    document, even downloaded from an English session); None keeps the active one. `variant` is a
    WeasyPrint PDF variant, "pdf/a-3b" for a Factur-X invoice (the XML is embedded afterwards by
    the factur-x library, which writes the metadata the standard asks for). `base_url` is what
    the document's relative links (``/leads/?…``) are resolved against, so that they still lead
    somewhere from a PDF read outside the site: ``core.http.absolute_url("/")``.
    """
    # Imported here: WeasyPrint loads Pango, which is needed only when a PDF is made.
    from weasyprint import HTML

    with translation.override(language) if language else nullcontext():
        html = render_to_string(template_name, dict(context))
    return bytes(HTML(string=html, base_url=base_url).write_pdf(pdf_variant=variant))
