"""The signed links of survey e-mails: they work without logging in and name one customer.

The answer link carries the survey's id, signed and timestamped: it expires
(``RELAIS_SURVEY_TOKEN_DAYS``) and a forged or mangled one is refused. The opt-out link carries
the customer's id unstamped (it must still work a year later, RFC 8058); the invitation link the
invitation's id, used once (its row says so).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from relais.core.http import absolute_url

ANSWER_SALT = "relais.surveys.answer"
OPTOUT_SALT = "relais.surveys.optout"
INVITE_SALT = "relais.surveys.invite"


class Expired(Exception):
    """A well-signed answer link past its validity."""


def answer_token(request_id: int) -> str:
    return signing.TimestampSigner(salt=ANSWER_SALT).sign_object(request_id)


def request_id_from(token: str) -> int | None:
    """The survey a link was made for; None for a forged token; ``Expired`` past its age."""
    signer = signing.TimestampSigner(salt=ANSWER_SALT)
    max_age = settings.RELAIS_SURVEY_TOKEN_DAYS * 86400
    try:
        value = signer.unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise Expired from exc
    except (signing.BadSignature, ValueError):
        return None
    return value if isinstance(value, int) else None


def _plain(salt: str, pk: int) -> str:
    return signing.Signer(salt=salt).sign_object(pk)


def _unplain(salt: str, token: str) -> int | None:
    try:
        value = signing.Signer(salt=salt).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    return value if isinstance(value, int) else None


def optout_token(customer_id: int) -> str:
    return _plain(OPTOUT_SALT, customer_id)


def customer_id_from_optout(token: str) -> int | None:
    return _unplain(OPTOUT_SALT, token)


def invite_token(invitation_id: int) -> str:
    return _plain(INVITE_SALT, invitation_id)


def invitation_id_from(token: str) -> int | None:
    return _unplain(INVITE_SALT, token)


def score_url(request_id: int, score: int, token: str | None = None) -> str:
    token = token or answer_token(request_id)
    return absolute_url(reverse("nps:answer", args=[token, score]))


def optout_url(customer_id: int) -> str:
    return absolute_url(reverse("nps:optout", args=[optout_token(customer_id)]))


def invite_url(invitation_id: int) -> str:
    return absolute_url(reverse("nps:invitation", args=[invite_token(invitation_id)]))
