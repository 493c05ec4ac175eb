"""Every write of the accounts app: users, login failures, magic links, TOTP, API tokens."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import pyotp
from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relais.accounts.choices import PARTNER_ROLES, Role, Scope
from relais.accounts.models import ApiToken, LoginFailure, MagicLink, User
from relais.core import identifiers, ratelimit
from relais.core.errors import DomainError
from relais.core.ratelimit import RateLimited

TOKEN_PREFIX = "rls_"  # noqa: S105 - a visible prefix, not a secret


def _sha256(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# --- users ------------------------------------------------------------------------------------


def user_create(
    *,
    email: str,
    role: Role | str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a user; partner users get no password (they log in by magic link)."""
    role = Role(role)
    if role in PARTNER_ROLES:
        password = None
    return User.objects.create_user(
        email,
        password,
        role=role,
        first_name=first_name,
        last_name=last_name,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )


# --- lockout ----------------------------------------------------------------------------------


def _lockout_window_start() -> datetime:
    return timezone.now() - timedelta(minutes=settings.RELAIS_LOGIN_LOCKOUT_MINUTES)


def login_is_locked(email: str) -> bool:
    """Locked while the last ``RELAIS_LOGIN_MAX_FAILURES`` failures fall within the window."""
    recent = LoginFailure.objects.filter(
        email=identifiers.lookup_email(email), created_at__gte=_lockout_window_start()
    )
    return recent.count() >= settings.RELAIS_LOGIN_MAX_FAILURES


def login_failure_record(*, email: str, ip: str | None) -> None:
    LoginFailure.objects.create(email=identifiers.lookup_email(email)[:254], ip=ip)


def login_failures_clear(*, email: str) -> None:
    LoginFailure.objects.filter(email=identifiers.lookup_email(email)).delete()


# --- magic links ------------------------------------------------------------------------------


def magic_link_request(
    *, email: str, ip: str | None, build_url: Callable[[str], str]
) -> MagicLink | None:
    """E-mail a single-use login link to a partner user.

    Returns None (and sends nothing) for an unknown or non-partner address and for one past its
    hourly allowance: the page answers them all as it answers a link sent, so it cannot be used
    to learn who has an account. Raises RateLimited past the allowance of the connection, which
    counts every request, whatever the address: it tells nothing about one.
    """
    limit = settings.RELAIS_MAGIC_LINK_MAX_PER_HOUR
    if ip and not ratelimit.hit(f"magic-link:{ip}", limit=limit * 4, window=3600):
        raise RateLimited(
            _("Too many login links were requested. Try again in an hour."),
            retry_after=ratelimit.retry_after(3600),
        )
    email = identifiers.lookup_email(email)
    with transaction.atomic():
        # The user's row lock: two processes asked at once count the links one after the other.
        user = (
            User.objects.select_for_update()
            .filter(email=email, is_active=True, role__in=PARTNER_ROLES)
            .first()
        )
        if user is None or _links_last_hour(user) >= limit:
            return None
        return magic_link_issue(user=user, build_url=build_url, ip=ip)


def _links_last_hour(user: User) -> int:
    """Counted on the links themselves: a sliding hour, the same for every process."""
    return user.magic_links.filter(created_at__gte=timezone.now() - timedelta(hours=1)).count()


def magic_link_issue(
    *, user: User, build_url: Callable[[str], str], purpose: str = "login", ip: str | None = None
) -> MagicLink:
    """Create a single-use link and e-mail it after commit. An invitation lives longer than
    a login link: the accepted candidate may read it days later."""
    minutes = (
        settings.RELAIS_INVITATION_LINK_MINUTES
        if purpose == "invitation"
        else settings.RELAIS_MAGIC_LINK_MINUTES
    )
    raw = secrets.token_urlsafe(32)
    link = MagicLink.objects.create(
        user=user,
        token_hash=_sha256(raw),
        expires_at=timezone.now() + timedelta(minutes=minutes),
        requested_ip=ip,
    )
    url = build_url(raw)
    transaction.on_commit(lambda: _send_magic_link(user, url, purpose, minutes))
    return link


def _send_magic_link(user: User, url: str, purpose: str, minutes: int) -> None:
    context = {
        "user": user,
        "url": url,
        "minutes": minutes,
        "company": settings.RELAIS_COMPANY_NAME,
    }
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        if purpose == "invitation":
            subject = _("Welcome to the %(company)s partner programme") % context
        else:
            subject = _("Your Relais login link")
        body = render_to_string(f"accounts/email/{purpose}.txt", context)
    send_mail(subject, body, None, [user.email])


def magic_link_peek(raw: str) -> MagicLink | None:
    """The link if it can still be used (for the confirmation page), without consuming it."""
    link = MagicLink.objects.select_related("user").filter(token_hash=_sha256(raw)).first()
    if link is None or link.used_at or link.expires_at <= timezone.now():
        return None
    return link


def magic_link_consume(*, raw: str) -> User:
    """Use a link once. The row lock makes two simultaneous clicks log in only once."""
    with transaction.atomic():
        link = (
            MagicLink.objects.select_for_update()
            .select_related("user")
            .filter(token_hash=_sha256(raw))
            .first()
        )
        if link is None:
            raise DomainError(_("This login link is not valid."), code="link_invalid")
        if link.used_at:
            raise DomainError(_("This login link was already used."), code="link_used")
        if link.expires_at <= timezone.now():
            raise DomainError(_("This login link has expired."), code="link_expired")
        if not link.user.is_active:
            raise DomainError(_("This account is disabled."), code="account_disabled")
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
    return link.user


# --- TOTP -------------------------------------------------------------------------------------


def totp_new_secret() -> str:
    return pyotp.random_base32()


def totp_provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="Relais")


def _totp_matching_step(secret: str, code: str) -> int | None:
    """The 30-second step a code belongs to (±1 step of clock drift), or None."""
    code = code.strip().replace(" ", "")
    totp = pyotp.TOTP(secret)
    now = timezone.now()
    for drift in (0, -1, 1):
        moment = now + timedelta(seconds=30 * drift)
        if secrets.compare_digest(totp.at(moment), code):
            return int(totp.timecode(moment))
    return None


def totp_enable(*, user: User, secret: str, code: str) -> None:
    step = _totp_matching_step(secret, code)
    if step is None:
        raise DomainError(_("The code is wrong; check your phone's clock."), code="totp_wrong")
    user.totp_secret, user.totp_enabled, user.totp_last_step = secret, True, step
    user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])


def totp_disable(*, user: User) -> None:
    user.totp_secret, user.totp_enabled, user.totp_last_step = "", False, 0
    user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_step"])


def totp_verify(*, user: User, code: str) -> bool:
    """Accept each code once: a step already used (or older) is refused."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        step = _totp_matching_step(locked.totp_secret, code)
        if step is None or step <= locked.totp_last_step:
            return False
        locked.totp_last_step = step
        locked.save(update_fields=["totp_last_step"])
    return True


# --- API tokens -------------------------------------------------------------------------------


def api_token_create(*, user: User, name: str, scopes: Iterable[str]) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value, which is never stored nor shown again."""
    scope_list = sorted({Scope(s).value for s in scopes})
    if not scope_list:
        raise DomainError(_("Choose at least one scope."), code="no_scope", fields={"scopes": ""})
    if not name.strip():
        raise DomainError(_("Give the token a name."), code="no_name", fields={"name": ""})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=raw[:10],
        token_hash=_sha256(raw),
        scopes=scope_list,
    )
    return token, raw


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The live token with this raw value, its user loaded; None if unknown, revoked or its user
    inactive. Served from the shared cache when configured (``RELAIS_API_TOKEN_CACHE_SECONDS``):
    the lookup was one query of every API call."""
    digest = _sha256(raw)
    seconds = settings.RELAIS_API_TOKEN_CACHE_SECONDS
    cached = cache.get(_token_key(digest)) if seconds else None
    token = cached if isinstance(cached, ApiToken) else _live_token(digest)
    if token is None:
        return None
    if seconds and cached is None:
        # add, not set: a token forgotten since it was read here stays forgotten.
        cache.add(_token_key(digest), token, seconds)
    _mark_used(token)
    return token


def _live_token(digest: str) -> ApiToken | None:
    return (
        ApiToken.objects.select_related("user")
        .filter(token_hash=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def _mark_used(token: ApiToken) -> None:
    """One write a minute at most: last-used is for people, not an audit of every call."""
    now = timezone.now()
    if settings.RELAIS_API_TOKEN_CACHE_SECONDS:
        # A cached copy's date is old: the shared cache decides, once a minute for all processes
        # — asked at most once a minute by each process, not on every call.
        asked, clock = _used_asked.get(token.token_hash), time.monotonic()
        if asked is not None and clock - asked < 60:
            return
        _used_asked[token.token_hash] = clock
        due = cache.add(f"relais:apitoken-used:{token.token_hash}", True, 60)
    else:
        due = token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1)
    if due:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


_used_asked: dict[str, float] = {}  # token hash → when this process last asked the shared cache


def _token_key(digest: str) -> str:
    return f"relais:apitoken:{digest}"


FORGOTTEN = "forgotten"  # what the cache holds for a token that must be read again


def api_tokens_forget(*, digests: Iterable[str]) -> None:
    """The next calls with these tokens read the database again. Run on every change that can
    refuse a token (see ``AccountsConfig.ready``), once it is committed. The marker, rather than a
    deletion, keeps a call that read the token before the change from caching it again."""
    seconds = settings.RELAIS_API_TOKEN_CACHE_SECONDS
    marks = {_token_key(d): FORGOTTEN for d in digests}
    if marks and seconds:
        transaction.on_commit(lambda: cache.set_many(marks, seconds))


def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
