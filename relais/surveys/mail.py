"""The survey's e-mails to customers. They are programme e-mails like the campaigns': the same
RFC 8058 one-click unsubscribe headers, Message-ID and provider id (``engagement.mailing``), the
same suppression list (``engagement.suppression``), which an opt-out joins at once. A customer
is no partner, so the footer and the unsubscribe link are the customer's own (the engagement
mailer's ``programme_message`` builds a partner's)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from relais.surveys import tokens
from relais.surveys.models import Customer, Invitation, SurveyRequest

TOPIC = "survey"


def _message(
    customer: Customer, subject: str, template: str, context: dict
) -> EmailMultiAlternatives:
    optout = tokens.optout_url(customer.pk)
    context = {
        **context,
        "customer": customer,
        "company": settings.RELAIS_COMPANY_NAME,
        "optout": optout,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"surveys/email/{template}.txt", context),
        to=[customer.email],
        headers={
            "List-Unsubscribe": f"<{optout}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": make_msgid(domain=settings.RELAIS_MAIL_DOMAIN),
            "X-Relais-Topic": TOPIC,
        },
    )
    message.attach_alternative(
        render_to_string(f"surveys/email/{template}.html", context), "text/html"
    )
    return message


def survey_message(request: SurveyRequest, *, reminder: bool = False) -> EmailMultiAlternatives:
    """The question and its eleven scores, each a link that records it in one click."""
    token = tokens.answer_token(request.pk)
    scores = [(n, tokens.score_url(request.pk, n, token)) for n in range(11)]
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("How likely are you to recommend %(company)s?") % {
            "company": settings.RELAIS_COMPANY_NAME
        }
        if reminder:
            subject = _("Reminder: %(subject)s") % {"subject": subject}
        context = {"scores": scores, "reminder": reminder}
        return _message(request.customer, subject, "survey", context)


def invitation_message(invitation: Invitation) -> EmailMultiAlternatives:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Become an introducer for %(company)s") % {
            "company": settings.RELAIS_COMPANY_NAME
        }
        context = {"url": tokens.invite_url(invitation.pk)}
        return _message(invitation.customer, subject, "invitation", context)
