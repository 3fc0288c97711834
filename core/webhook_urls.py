"""Which webhook URLs Waypoint calls: one rule, checked when an endpoint is saved (core/models.py) and again
before each send (core/outbox.py), since a name may resolve elsewhere later (DNS rebinding)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings


def address_refused(address: str) -> bool:
    """Anything but a public unicast address: private, loopback, link-local (cloud metadata), shared
    (100.64/10), reserved, multicast and unspecified ones, IPv4 inside IPv6 included."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def url_refusal(url: str) -> str:
    """Why a webhook URL may not be called, or "" (SSRF guard: https only, and every address the host
    resolves to now public). WAYPOINT_WEBHOOK_ALLOW_PRIVATE (development) allows http and any address."""
    parts = urlsplit(url)
    allow_private = settings.WAYPOINT_WEBHOOK_ALLOW_PRIVATE
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        return "only https URLs are called"
    try:
        hostname, port = parts.hostname, parts.port
    except ValueError:
        return "the port is not a number from 0 to 65535"
    if not hostname:
        return "no host"
    if allow_private:
        return ""
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(hostname, port or 443)}
    except (socket.gaierror, UnicodeError):
        return "the host does not resolve"
    if any(address_refused(address) for address in addresses):
        return f"{hostname} resolves to a private address"
    return ""
