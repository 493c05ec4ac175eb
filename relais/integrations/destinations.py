"""Where a webhook may go (SSRF guard): https only unless http is allowed (DEBUG or
``RELAIS_WEBHOOK_ALLOW_HTTP``), and never to a private, loopback, link-local, multicast or
reserved address unless ``RELAIS_WEBHOOK_ALLOW_PRIVATE`` says so. The name is resolved once and
the connection made to the very address checked, so a DNS answer that changes between the check
and the request (DNS rebinding) cannot send it inside."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class Refused(ValueError):
    """A destination the guard refuses; the message says why, for the ``url`` field."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with its query string
    address: str  # the resolved IP the connection goes to


def _forbidden(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_syntax(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and path of ``url``, or ``Refused`` saying what is wrong with it."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise Refused(_("%(url)s is not a URL.") % {"url": url}) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(
            _("%(url)s is not a URL: give one like https://crm.example.com/hooks.") % {"url": url}
        )
    if parts.scheme == "http" and not (settings.DEBUG or settings.RELAIS_WEBHOOK_ALLOW_HTTP):
        raise Refused(_("Only https:// URLs may receive webhooks."))
    if parts.username or parts.password:
        raise Refused(_("Put no user name or password in the URL: the signature proves who sends."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def resolve(url: str) -> Target:
    """The checked destination of ``url``: refused when it is not a URL, when http is not
    allowed, or when its host resolves to an address webhooks may not reach."""
    scheme, host, port, path = check_syntax(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise Refused(_("%(host)s does not resolve to any address.") % {"host": host}) from None
    addresses = [str(info[4][0]) for info in infos]
    if not settings.RELAIS_WEBHOOK_ALLOW_PRIVATE:
        for address in addresses:
            if _forbidden(ipaddress.ip_address(address.split("%")[0])):
                raise Refused(
                    _(
                        "%(host)s resolves to %(address)s, a private, loopback or link-local"
                        " address: webhooks may not go there."
                    )
                    % {"host": host, "address": address}
                )
    return Target(scheme, host, port, path, addresses[0])
