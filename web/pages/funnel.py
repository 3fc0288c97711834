from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from companies.models import Company
from companies.selectors import lifecycle_summary
from milestones.selectors import funnel_latest


@permission_required("accounts.view_success_funnel", raise_exception=True)
def funnel(request: HttpRequest) -> HttpResponse:
    funnel = funnel_latest()
    widest = max([funnel.customers, 1])
    return render(
        request,
        "web/funnel.html",
        {
            "summary": lifecycle_summary(Company.objects.all()),
            "funnel": funnel,
            "bars": [
                (row, round(100 * row.reached / widest, 1), round(100 * row.at / widest, 1))
                for row in funnel.rows
            ],
        },
    )
