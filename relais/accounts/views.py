"""Login pages. Thin: parse, call a service, render."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts import selectors, services
from relais.accounts.decorators import staff_required
from relais.accounts.forms import ApiTokenForm, LoginForm, MagicLinkForm, TotpForm
from relais.accounts.models import User
from relais.core.errors import DomainError
from relais.core.http import absolute_url, client_ip, object_or_404
from relais.core.ratelimit import RateLimited

PENDING_TOTP_KEY = "relais_pending_totp_user"


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its own home page."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if request.user.is_partner_user:
        return redirect("portal:home")
    return redirect("reporting:dashboard")


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        if services.login_is_locked(email):
            form.add_error(None, _("Too many failed attempts: this account is locked for a while."))
        else:
            user = authenticate(request, username=email, password=form.cleaned_data["password"])
            if user is None:
                services.login_failure_record(email=email, ip=client_ip(request))
                form.add_error(None, _("The e-mail or the password is wrong."))
            elif user.totp_enabled:
                request.session[PENDING_TOTP_KEY] = user.pk
                return redirect("accounts:totp_verify")
            else:
                return _finish_login(request, user)
    return render(request, "accounts/login.html", {"form": form})


def _finish_login(request: HttpRequest, user: User) -> HttpResponse:
    services.login_failures_clear(email=user.email)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("accounts:home")


def totp_verify(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_TOTP_KEY)
    user = User.objects.filter(pk=pending, is_active=True).first() if pending else None
    if user is None:
        return redirect("accounts:login")
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.login_is_locked(user.email):
            form.add_error(None, _("Too many failed attempts: this account is locked for a while."))
        elif services.totp_verify(user=user, code=form.cleaned_data["code"]):
            del request.session[PENDING_TOTP_KEY]
            return _finish_login(request, user)
        else:
            services.login_failure_record(email=user.email, ip=client_ip(request))
            form.add_error("code", _("The code is wrong or was already used."))
    return render(request, "accounts/totp_verify.html", {"form": form})


def magic_link_request(request: HttpRequest) -> HttpResponse:
    form = MagicLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.magic_link_request(
                email=form.cleaned_data["email"],
                ip=client_ip(request),
                build_url=lambda raw: absolute_url(
                    reverse("accounts:magic_link", args=[raw]), request
                ),
            )
        except RateLimited as exc:
            # The connection's allowance, the same for every address: this tells nothing.
            form.add_error(None, exc.message)
            context = {"form": form, "minutes": _link_minutes()}
            response = render(request, "accounts/magic_link_request.html", context, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        # Sent, unknown or past the address's allowance: one answer (no account enumeration).
        context = {"email": form.cleaned_data["email"], "minutes": _link_minutes()}
        return render(request, "accounts/magic_link_sent.html", context)
    context = {"form": form, "minutes": _link_minutes()}
    return render(request, "accounts/magic_link_request.html", context)


def _link_minutes() -> int:
    return int(settings.RELAIS_MAGIC_LINK_MINUTES)


def magic_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST uses the link, so mail scanners cannot burn it."""
    if request.method == "POST":
        try:
            user = services.magic_link_consume(raw=token)
        except DomainError as exc:
            return render(
                request, "accounts/magic_link_invalid.html", {"error": exc.message}, status=400
            )
        return _finish_login(request, user)
    link = services.magic_link_peek(token)
    if link is None:
        error = _("This login link is not valid, was already used or has expired.")
        return render(request, "accounts/magic_link_invalid.html", {"error": error}, status=400)
    return render(request, "accounts/magic_link_confirm.html", {"link_user": link.user})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@staff_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if request.method == "POST" and request.POST.get("action") == "disable":
        services.totp_disable(user=user)
        messages.success(request, _("Two-step verification is off."))
        return redirect("accounts:totp_setup")
    secret = request.session.get("relais_totp_setup") or services.totp_new_secret()
    request.session["relais_totp_setup"] = secret
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_enable(user=user, secret=secret, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            del request.session["relais_totp_setup"]
            messages.success(request, _("Two-step verification is on."))
            return redirect("accounts:totp_setup")
    uri = services.totp_provisioning_uri(user, secret)
    qr_svg = segno.make(uri).svg_inline(scale=4)
    context = {"form": form, "secret": secret, "qr_svg": qr_svg, "enabled": user.totp_enabled}
    return render(request, "accounts/totp_setup.html", context)


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.api_token_create(
                user=user, name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            form = ApiTokenForm()
    tokens = selectors.api_tokens_for_user(user=user)
    context = {"form": form, "new_token": new_token, "tokens": tokens}
    return render(request, "accounts/tokens.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    token = object_or_404(request, selectors.api_token_get_for_user, pk)
    services.api_token_revoke(token=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")
