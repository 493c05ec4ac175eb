"""Programme e-mails (campaigns, automations, digests, the customers' surveys): one message per
recipient, in their language, with the links a reader must have — one-click unsubscribe
(RFC 8058 headers) and, for a partner, the preference page — and the message id the provider's
webhooks will name. A recipient is a partner (``partner_recipient``) or a customer
(``customer_recipient``, whose unsubscribe link is the caller's: the surveys' opt-out, which
joins the same suppression list); the senders skip the suppressed addresses
(``preferences.suppressed_among``) before building a message.

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


@dataclass(frozen=True)
class Recipient:
    """Who a programme e-mail goes to, and the footer saying why they receive it."""

    email: str
    language: str
    unsubscribe: str  # the one-click link of the List-Unsubscribe header and the footer
    footer_text: str
    footer_html: str


def partner_recipient(*, partner: Partner, email: str, language: str) -> Recipient:
    footer_text, footer_html = _footer(partner, language)
    unsubscribe = preferences.unsubscribe_url(partner)
    return Recipient(email, language, unsubscribe, footer_text, footer_html)


def customer_recipient(*, email: str, language: str, unsubscribe: str) -> Recipient:
    """A customer of the company (no partner, no preference page): one unsubscribe link."""
    with translation.override(language):
        lead = _("You receive this e-mail as a customer of %(company)s.") % {
            "company": settings.RELAIS_COMPANY_NAME
        }
        label = _("Unsubscribe")
    plain = f"{lead} {label}: {unsubscribe}"
    html = (
        f'<p><small>{escape(lead)} <a href="{escape(unsubscribe)}">{escape(label)}</a></small></p>'
    )
    return Recipient(email, language, unsubscribe, plain, html)


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
    """A partner's programme message (``recipient_message``)."""
    recipient = partner_recipient(partner=partner, email=email, language=language)
    return recipient_message(recipient=recipient, topic=topic, subject=subject, body=body)


def recipient_message(
    *, recipient: Recipient, topic: str, subject: str, body: str, html: str = ""
) -> EmailMultiAlternatives:
    """The message, ready to send: text and HTML parts (``html``, else the text's paragraphs)
    each closed by the recipient's footer, the RFC 8058 one-click unsubscribe headers (mail
    clients show an "unsubscribe" button from them; Gmail and Yahoo require them of bulk
    senders), and a Message-ID of our own, kept on the recipient's row."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=f"{body}\n\n-- \n{recipient.footer_text}\n",
        to=[recipient.email],
        headers={
            "List-Unsubscribe": f"<{recipient.unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": make_msgid(domain=settings.RELAIS_MAIL_DOMAIN),
            "X-Relais-Topic": topic,
        },
    )
    part = html or linebreaks(escape(body))
    message.attach_alternative(f"{part}\n{recipient.footer_html}", "text/html")
    return message


def message_id(message: EmailMultiAlternatives) -> str:
    """The id the provider's webhooks will name: anymail's (the provider's own) when sent
    through a provider, else the Message-ID header we gave it."""
    status = getattr(message, "anymail_status", None)
    provider = getattr(status, "message_id", None) if status is not None else None
    return str(provider or message.extra_headers["Message-ID"])[:200]
