"""The customer's pages, reached from the survey e-mail by a signed link (no login), made for a
phone: the one-click answer and its thank-you page with the optional comment, the opt-out, and
a promoter's invitation to become an introducer. Bad input (a score outside 0–10, a forged or
expired link, an invitation used already) gets a page that says so, and nothing is recorded."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from relais.core import ratelimit
from relais.core.errors import DomainError
from relais.core.http import client_ip
from relais.engagement.choices import SuppressionReason
from relais.engagement.suppression import address_suppress
from relais.surveys import tokens
from relais.surveys.answers import Recorded, answer_comment, answer_record, consent_wording
from relais.surveys.choices import Category, category_of
from relais.surveys.invitations import invitation_accept, prefilled
from relais.surveys.models import Answer, Customer, Invitation


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    response = render(request, "surveys/public/refused.html", {"message": message}, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


# Per address and hour, every page and every hit counted (found or not), by every process
# together (``core.ratelimit``): a link is a signed token no one guesses, the limit keeps a
# robot from trying.
WINDOW = 3600

View = Callable[..., HttpResponse]


def limited(view: View) -> View:
    @wraps(view)
    def checked(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        limit = int(settings.RELAIS_SURVEY_MAX_PER_HOUR)
        if not ratelimit.hit(f"survey:{client_ip(request)}", limit=limit, window=WINDOW):
            message = _("Too many requests from your connection. Try again in an hour.")
            response = _refused(request, message, 429)
            response["Retry-After"] = str(ratelimit.retry_after(WINDOW))
            return response
        return view(request, *args, **kwargs)

    return checked


def _request_id(request: HttpRequest, token: str) -> int | HttpResponse:
    try:
        found = tokens.request_id_from(token)
    except tokens.Expired:
        return _refused(request, _("This survey link has expired. Thank you all the same."), 410)
    if found is None:
        return _refused(request, _("This link is not valid: it may have been cut or altered."), 404)
    return found


def _invitation_of(answer: Answer) -> Invitation | None:
    if category_of(answer.score) != Category.PROMOTER:
        return None
    return Invitation.objects.filter(customer_id=answer.customer_id).first()


def _thanks(
    request: HttpRequest,
    token: str,
    answer: Answer,
    invitation: Invitation | None,
    **extra: object,
) -> HttpResponse:
    """The thank-you page; ``invitation`` is the customer's (a promoter's), offered until
    accepted."""
    category = category_of(answer.score)
    if category != Category.PROMOTER or (invitation and invitation.accepted_at):
        invitation = None
    context = {
        "answer": answer,
        "token": token,
        "promoter": category == Category.PROMOTER,
        "wording": consent_wording(),
        "scores": range(11),
        "invitation_token": tokens.invite_token(invitation.pk) if invitation else "",
        **extra,
    }
    response = render(request, "surveys/public/thanks.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@limited
@require_http_methods(["GET", "HEAD"])
def answer(request: HttpRequest, token: str, score: str) -> HttpResponse:
    """One click: the score recorded (or changed), and the thank-you page."""
    if not score.isdigit() or not 0 <= int(score) <= 10:
        return _refused(request, _("A score is a whole number from 0 to 10."), 400)
    request_id = _request_id(request, token)
    if isinstance(request_id, HttpResponse):
        return request_id
    try:
        recorded: Recorded = answer_record(request_id=request_id, score=int(score))
    except DomainError as exc:
        return _refused(request, exc.message, 404)
    return _thanks(request, token, recorded.answer, recorded.invitation, changed=recorded.changed)


@never_cache
@limited
@require_http_methods(["POST"])
def comment(request: HttpRequest, token: str) -> HttpResponse:
    request_id = _request_id(request, token)
    if isinstance(request_id, HttpResponse):
        return request_id
    found = Answer.objects.select_related("customer").filter(request_id=request_id).first()
    if found is None:
        return _refused(request, _("Choose a score first."), 400)
    try:
        answer_comment(
            answer=found,
            comment=request.POST.get("comment", ""),
            publish=request.POST.get("publish") == "yes",
            wording=consent_wording(),
        )
    except DomainError as exc:
        return _thanks(request, token, found, _invitation_of(found), error=exc.message)
    return _thanks(request, token, found, _invitation_of(found), commented=True)


# RFC 8058: the one-click POST comes without a cookie, so without a CSRF token; the signed
# token in the URL is the proof (as the engagement app's unsubscribe).
@csrf_exempt
@limited
@require_http_methods(["GET", "HEAD", "POST"])
def optout(request: HttpRequest, token: str) -> HttpResponse:
    """GET: one button (a link scanner must not opt anyone out); POST: on the suppression list
    at once, so no survey e-mail goes to the address again."""
    customer_id = tokens.customer_id_from_optout(token)
    customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
    if customer is None:
        return _refused(request, _("This link is not valid: it may have been cut or altered."), 404)
    done = request.method == "POST"
    if done and customer.email:
        address_suppress(
            email=customer.email, reason=SuppressionReason.UNSUBSCRIBED, detail="survey opt-out"
        )
    return render(request, "surveys/public/optout.html", {"done": done, "token": token})


@never_cache
@limited
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation: the customer's details already filled in; one button creates the
    candidate introducer, and the page gives their referral link and what comes next."""
    invitation_id = tokens.invitation_id_from(token)
    found = (
        Invitation.objects.select_related("customer").filter(pk=invitation_id).first()
        if invitation_id
        else None
    )
    if found is None:
        return _refused(request, _("This link is not valid: it may have been cut or altered."), 404)
    if found.accepted_at is not None:
        return _refused(request, _("This invitation has already been used."), 410)
    data, errors = prefilled(found), {}
    if request.method == "POST":
        data = {name: request.POST.get(name, "") for name in data}
        try:
            partner = invitation_accept(invitation_id=found.pk, data=data)
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        except DomainError as exc:
            return _refused(request, exc.message, 410)
        else:
            return render(request, "surveys/public/welcome.html", {"partner": partner})
    return render(
        request, "surveys/public/invitation.html", {"data": data, "errors": errors, "token": token}
    )


urlpatterns: list[URLPattern] = [
    path("a/<str:token>/<str:score>/", answer, name="answer"),
    path("c/<str:token>/", comment, name="comment"),
    path("u/<str:token>/", optout, name="optout"),
    path("i/<str:token>/", invitation, name="invitation"),
]
