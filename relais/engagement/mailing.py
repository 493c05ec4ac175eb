"""Programme e-mails (campaigns, automations, digests): one message per partner, in their
language, with the links a reader must have — one-click unsubscribe (RFC 8058 headers) and the
preference page — and the message id the provider's webhooks will name.

Contractual and payment e-mails do not come through here: nothing a partner unsubscribes from
ever blocks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.utils import translation
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from relais.engagement import merge, preferences
from relais.engagement.models import MessageTemplate
from relais.partners.models import Partner


@dataclass(frozen=True)
class Written:
    subject: str
    body: str


def template_for(template: MessageTemplate, language: str) -> tuple[str, str]:
    """The subject and body in ``language``, the French version where no English one exists."""
    if language == "en" and template.subject_en.strip() and template.body_en.strip():
        return template.subject_en, template.body_en
    return template.subject_fr, template.body_fr


def write(template: MessageTemplate, *, language: str, figures: dict[str, Any]) -> Written:
    """The template filled in with one partner's figures (``merge.figures_for``)."""
    subject, body = template_for(template, language)
    return Written(
        " ".join(merge.render(subject, figures).split()), merge.render(body, figures).strip()
    )


def _footer(partner: Partner, language: str) -> tuple[str, str]:
    with translation.override(language):
        text = _(
            "You receive this e-mail as a partner of %(company)s. Choose what you receive: "
            "%(preferences)s. Unsubscribe: %(unsubscribe)s"
        )
        lead = _("You receive this e-mail as a partner of %(company)s.") % {
            "company": settings.RELAIS_COMPANY_NAME
        }
        links = (_("Choose what you receive"), _("Unsubscribe"))
    urls = preferences.preferences_url(partner), preferences.unsubscribe_url(partner)
    plain = text % {
        "company": settings.RELAIS_COMPANY_NAME,
        "preferences": urls[0],
        "unsubscribe": urls[1],
    }
    html = (
        f'<p style="color:#666;font-size:12px">{escape(lead)} '
        f'<a href="{escape(urls[0])}">{escape(links[0])}</a> · '
        f'<a href="{escape(urls[1])}">{escape(links[1])}</a></p>'
    )
    return plain, html


def programme_message(
    *, partner: Partner, email: str, language: str, topic: str, subject: str, body: str
) -> EmailMultiAlternatives:
    """The message, ready to send: text and HTML parts, the RFC 8058 one-click unsubscribe
    headers (mail clients show an "unsubscribe" button from them; Gmail and Yahoo require them
    of bulk senders), and a Message-ID of our own, kept on the recipient's row."""
    footer_text, footer_html = _footer(partner, language)
    message = EmailMultiAlternatives(
        subject=subject,
        body=f"{body}\n\n-- \n{footer_text}\n",
        to=[email],
        headers={
            "List-Unsubscribe": f"<{preferences.unsubscribe_url(partner)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": make_msgid(domain=settings.RELAIS_MAIL_DOMAIN),
            "X-Relais-Topic": topic,
        },
    )
    message.attach_alternative(f"{linebreaks(escape(body))}\n{footer_html}", "text/html")
    return message


def message_id(message: EmailMultiAlternatives) -> str:
    """The id the provider's webhooks will name: anymail's (the provider's own) when sent
    through a provider, else the Message-ID header we gave it."""
    status = getattr(message, "anymail_status", None)
    provider = getattr(status, "message_id", None) if status is not None else None
    return str(provider or message.extra_headers["Message-ID"])[:200]
