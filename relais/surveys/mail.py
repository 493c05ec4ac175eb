"""The survey's e-mails to customers. They are programme e-mails like the campaigns' and built
by the same helper (``engagement.mailing.recipient_message``): the RFC 8058 one-click unsubscribe
headers, Message-ID, topic header and footer; the customer's unsubscribe link is the surveys'
opt-out, which joins the suppression list (``engagement.suppression``) at once, and the sender
skips the suppressed addresses (``surveys.sending``)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from relais.engagement.mailing import customer_recipient, recipient_message
from relais.surveys import tokens
from relais.surveys.models import Customer, Invitation, SurveyRequest

TOPIC = "survey"


def _message(
    customer: Customer, subject: str, template: str, context: dict
) -> EmailMultiAlternatives:
    recipient = customer_recipient(
        email=customer.email,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        unsubscribe=tokens.optout_url(customer.pk),
    )
    context = {**context, "customer": customer, "company": settings.RELAIS_COMPANY_NAME}
    return recipient_message(
        recipient=recipient,
        topic=TOPIC,
        subject=subject,
        body=render_to_string(f"surveys/email/{template}.txt", context).strip(),
        html=render_to_string(f"surveys/email/{template}.html", context).strip(),
    )


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
