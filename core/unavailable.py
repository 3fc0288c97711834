"""When the database cannot answer (down, or a statement or lock timeout on a stalled table), a request gets
503 with Retry-After, never a 500 or a hung worker: clients retry, and nothing was half-stored because every
write path is one transaction. API and ingestion callers get the JSON error format; people get a page."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

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
        # A static page (templates/503.html): nothing in it touches the database or the user.
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
