from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from playbooks.selectors import content_by_stage, methodology_tree


def portal(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/portal.html",
        {"phases": methodology_tree(), "stages": content_by_stage()},
    )
