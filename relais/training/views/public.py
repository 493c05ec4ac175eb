"""The public verification page of a certificate, reached from its QR code: anyone holding the
code learns whether it holds (valid, expired, revoked), what it certifies and its dates, and
nothing about the person (their name is on the paper already; a code found in a bin must not
tell a stranger whose it is)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.cache import never_cache

from relais.core import ratelimit
from relais.core.http import client_ip
from relais.training.certificates import certificate_state, certificate_title
from relais.training.models import Certificate

# Per address and hour, counted by every process together. Every lookup counts, found or not:
# were only misses counted, an address past the limit would still tell found codes (200) from
# refused ones (429), and enumeration would go on. 14 characters of 31 make guessing hopeless
# anyway; the limit keeps a robot from trying.
WINDOW = 3600


def _limit() -> int:
    return int(settings.RELAIS_TRAINING_VERIFY_MAX_PER_HOUR)


@never_cache
def certificate(request: HttpRequest, code: str) -> HttpResponse:
    if not ratelimit.hit(f"verify:{client_ip(request)}", limit=_limit(), window=WINDOW):
        response = render(request, "public/verify_limited.html", status=429)
        response["Retry-After"] = str(ratelimit.retry_after(WINDOW))
        return response
    found = Certificate.objects.select_related("module", "path").filter(code=code.upper()).first()
    if found is None:
        return render(request, "public/verify_unknown.html", status=404)
    context = {
        "state": certificate_state(found),
        "title": certificate_title(found),
        "issued_at": found.issued_at,
        "expires_at": found.expires_at,
        "revoked_at": found.revoked_at,
    }
    response = render(request, "public/verify.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns: list[URLPattern] = [
    path("<str:code>/", certificate, name="certificate"),
]
