"""The address a request came from, behind the number of proxies the deployment says it has."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or with WAYPOINT_PROXY_COUNT = n trusted proxies in front (nginx appends the address it
    saw to X-Forwarded-For), the n-th address from the right of X-Forwarded-For. Addresses further left are
    the client's to write and are never trusted; a header shorter than n, or not an address, falls back to
    REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.WAYPOINT_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
