"""System checks of the settings a deployment must get right (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register
from django.http.request import validate_host


@register(Tags.security, deploy=True)
def site_url_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Links in e-mails sent by the task worker have no request to take a host from: they use
    ``SITE_URL`` (``core.http.absolute_url``). Left at its development default, every GDPR
    notice and reminder would point to http://localhost:8000. A host this site does not serve,
    or plain http behind the HTTPS redirect, is as wrong."""
    url = urlsplit(settings.SITE_URL)
    problems: list[CheckMessage] = []
    if not url.hostname or not validate_host(url.hostname, settings.ALLOWED_HOSTS):
        problems.append(
            Warning(
                f"SITE_URL is {settings.SITE_URL!r}, not a host in ALLOWED_HOSTS: links in "
                "e-mails sent by the task worker would lead elsewhere.",
                hint="Set SITE_URL to the public address, e.g. https://relais.example.fr.",
                id="relais.W001",
            )
        )
    if settings.SECURE_SSL_REDIRECT and url.scheme != "https":
        problems.append(
            Warning(
                f"SITE_URL is {settings.SITE_URL!r} while the site answers over HTTPS only.",
                hint="Start SITE_URL with https://.",
                id="relais.W002",
            )
        )
    return problems
