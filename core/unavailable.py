"""When the database cannot answer (down, or a statement or lock timeout on a stalled table), a request gets
503 with Retry-After, never a 500 or a hung worker: clients retry, and nothing was half-stored because every
write path is one transaction. API and ingestion callers get the JSON error format; people get a page."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

RETRY_AFTER_SECONDS = 10
UNAVAILABLE = (OperationalError, InterfaceError)  # psycopg's QueryCanceled and LockNotAvailable included

_MESSAGE = "The database is unavailable; retry later."


def is_machine_path(path: str) -> bool:
    """Paths answered in JSON: the REST API and the Segment-compatible endpoints."""
    return path.startswith(("/api/", "/v1/"))


def unavailable_response(request: HttpRequest | None = None) -> HttpResponse:
    if request is None or is_machine_path(request.path):
        response: HttpResponse = JsonResponse({"code": "unavailable", "message": _MESSAGE}, status=503)
    else:
        response = HttpResponse(
            "<!doctype html><title>Waypoint is unavailable</title>"
            "<p>Waypoint cannot reach its database right now. Try again in a few seconds.</p>",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
