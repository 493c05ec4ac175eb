"""Public pages reached from an e-mail, by a signed token (no login): one-click unsubscribe, the
preference page, and the provider's delivery webhooks."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from anymail import urls as anymail_urls
from anymail.utils import get_anymail_setting
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from relais.engagement import preferences
from relais.engagement.preference_forms import PreferenceForm
from relais.partners.models import Partner

logger = logging.getLogger(__name__)

ONE_CLICK = "List-Unsubscribe=One-Click"


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "engagement/public/invalid.html", status=404)


# RFC 8058: the mail client (or the mailbox provider on its behalf) POSTs the body
# "List-Unsubscribe=One-Click" to the header's URL with no cookie and no page seen before, so no
# CSRF token can come with it. The signed token in the URL is what proves the right to unsubscribe;
# the worst a forged cross-site POST can do is what the link in the e-mail does.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: one button (a link scanner that follows links must not unsubscribe anyone); POST:
    unsubscribed from every programme e-mail, the one-click POST answered 200 as RFC 8058 asks."""
    partner = preferences.partner_from_token(token)
    if partner is None:
        return _invalid(request)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        preferences.partner_unsubscribe(partner=partner, via="one-click" if one_click else "link")
        return render(request, "engagement/public/unsubscribed.html", _context(partner, token))
    return render(request, "engagement/public/unsubscribe.html", _context(partner, token))


@require_http_methods(["GET", "POST"])
def preference_page(request: HttpRequest, token: str) -> HttpResponse:
    """What the partner receives, reached from the link at the foot of every programme e-mail."""
    partner = preferences.partner_from_token(token)
    if partner is None:
        return _invalid(request)
    context = {**_context(partner, token), **preference_handle(request, partner, via="preferences")}
    return render(request, "engagement/public/preferences.html", context)


def preference_handle(request: HttpRequest, partner: Partner, *, via: str) -> dict[str, object]:
    """The preference form for ``partner``, with what a POST asked done (save the topics,
    unsubscribe from everything, subscribe again): the public page and the portal's both."""
    done = ""
    preference = preferences.preference_of(partner)
    form = PreferenceForm.of(preference)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "unsubscribe":
            preference = preferences.partner_unsubscribe(partner=partner, via=via)
            done = _("You are unsubscribed from every programme e-mail.")
        elif action == "resubscribe":
            preference = preferences.partner_resubscribe(partner=partner)
            done = _("You will receive programme e-mails again.")
        else:
            form = PreferenceForm.of(preference, request.POST)
            if form.is_valid():
                preference = preferences.preference_update(partner=partner, **form.cleaned_data)
                done = _("Your choices are saved.")
        if done:
            form = PreferenceForm.of(preference)
    return {"form": form, "preference": preference, "done": done}


def _context(partner: Partner, token: str) -> dict[str, object]:
    return {"partner": partner, "token": token}


# --- The provider's tracking webhooks (anymail) -------------------------------------------------


def _secret_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anymail accepts any POST when no webhook secret is set (it only warns): refuse them
    instead, so an unconfigured site cannot be fed forged bounces that suppress real partners."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not get_anymail_setting("webhook_secret", default=None):
            logger.warning("anymail webhook refused: ANYMAIL_WEBHOOK_SECRET is not set")
            return HttpResponse(status=403)
        return view(request, *args, **kwargs)

    return guarded


def _tracking_routes() -> list[URLPattern]:
    """Anymail's tracking webhook of every provider it supports, at
    ``/e/anymail/<provider>/tracking/``; its views check the basic-auth secret and, where the
    provider signs its calls (Mailgun, Amazon SES, Resend, MailerSend, Postal…), the signature,
    and hand each event to ``engagement.webhooks``."""
    routes = []
    for pattern in anymail_urls.urlpatterns:
        name = getattr(pattern, "name", None) or ""
        if isinstance(pattern, URLPattern) and name.endswith("tracking_webhook"):
            route = f"anymail/{pattern.pattern}"
            routes.append(path(route, _secret_required(pattern.callback), name=f"anymail_{name}"))
    return routes


urlpatterns: list[URLPattern] = [
    path("u/<str:token>/", unsubscribe, name="unsubscribe"),
    path("prefs/<str:token>/", preference_page, name="preferences"),
    *_tracking_routes(),
]
