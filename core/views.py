from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.health import readiness
from core.unavailable import UNAVAILABLE, is_machine_path, unavailable_response


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. No dependency is touched, so a database outage never restarts it."""
    return JsonResponse({"status": "ok"})


@login_not_required
@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness of the web tier: the database reachable and its migrations applied, which is all it needs to
    serve pages and take in events (a broker outage only delays background work; ingestion commits first).
    The broker's state is in the body either way; `?full=1` counts it too, for monitoring."""
    checks = readiness()
    required = set(checks) if request.GET.get("full") == "1" else set(checks) - {"broker"}
    ready = all(checks[name] == "ok" for name in required)
    return JsonResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks}, status=200 if ready else 503
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler. A database that cannot answer is a 503 with Retry-After (core/unavailable.py);
    anything else a 500, in JSON for the API and ingestion."""
    error = sys.exc_info()[1]
    if isinstance(error, UNAVAILABLE):
        return unavailable_response(request)
    if is_machine_path(request.path):
        return JsonResponse(
            {"code": "server_error", "message": "Something went wrong on our side."}, status=500
        )
    return defaults.server_error(request)
