from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from companies.selectors import lifecycle_summary
from core.pagination import paginate
from milestones.selectors import stuck_accounts
from playbooks.selectors import content_by_stage, methodology_tree
from web.selectors import company_list


@permission_required("accounts.work_queue", raise_exception=True)
def queue(request: HttpRequest) -> HttpResponse:
    """The CSM's stuck accounts, longest stuck first."""
    stuck = stuck_accounts(user=request.user)
    page, query_string = paginate(request, stuck)
    return render(
        request,
        "web/queue.html",
        {
            "summary": lifecycle_summary(company_list(user=request.user).filter(csm=request.user)),
            "stuck_count": page.paginator.count,
            "page_obj": page,
            "query_string": query_string,
        },
    )


def portal(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/portal.html",
        {"phases": methodology_tree(), "stages": content_by_stage()},
    )
