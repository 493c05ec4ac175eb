"""Small request helpers shared by views."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address; X-Forwarded-For is trusted only behind our own proxy."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """The one rule for a link that leaves the site (an e-mail, a PDF, an export): in a request,
    the host the user reached us on, as the browser sent it (``ALLOWED_HOSTS`` vetted it); outside
    one (a task, a command), ``SITE_URL``, which production must set to the public address
    (``core.checks``, ``check --deploy``). ``path`` starts with a slash (``reverse()``)."""
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL + path


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def attachment(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    """A file to download, built in memory (a PDF, an XLSX, an XML file)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def object_or_404[T](request: HttpRequest, lookup: Callable[..., T], pk: int) -> T:
    """What a scoped selector (``<entity>_get_for_user(user=…, pk=…)``) finds for the request's
    user, else a 404: an object outside the user's scope is answered exactly as one that does
    not exist. The view's role check has run, so the user is a logged-in one."""
    try:
        return lookup(user=request.user, pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None


def same_site_next(request: HttpRequest, default: str) -> str:
    """The ``next`` a form posted back, if it is a page of this site; else ``default`` (a URL or
    a URL name). Followed unchecked, ``next`` would send a user to any site (an open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else default
