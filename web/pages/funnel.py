"""The success funnel page (DESIGN §5): per milestone as of any day and for any filter, with churn and
health by milestone; each number links to the accounts behind it (today's list, on the last day)."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from funnel.selectors import funnel_view
from web.analytics import filter_choices, funnel_records, read_filters

SMALL_GROUP = 20  # rates over fewer companies are shown greyed: too few to read much into
PERMISSION = "accounts.view_success_funnel"


def analytics_context(request: HttpRequest, page: str):
    filters = read_filters(request.GET)
    context = {
        "filters": filters,
        "choices": filter_choices(filters),
        "page": page,
        "latest": filters.latest,
        "small_group": SMALL_GROUP,
    }
    return filters, context, (400 if filters.errors else 200)


@permission_required(PERMISSION, raise_exception=True)
def funnel(request: HttpRequest) -> HttpResponse:
    filters, context, status = analytics_context(request, "funnel")
    if status == 200 and filters.as_of is not None:
        view = funnel_view(filters.filter, filters.as_of)
        records = funnel_records(view)
        widest = max(view.customers, 1)
        context.update(
            view=view,
            linked=filters.as_of == context["latest"],
            rows=[
                {
                    "milestone": milestone,
                    "f": figures,
                    "reached_pct": round(100 * figures.reached / widest),
                    "at_pct": round(100 * figures.at / widest),
                    "churn_small": figures.churned + figures.at < SMALL_GROUP,
                    "health_small": figures.health_count < SMALL_GROUP,
                    "bottleneck": view.bottleneck is not None and view.bottleneck[0] == milestone,
                }
                for milestone, figures in view.rows
            ],
            chart={
                "labels": [r["name"] for r in records],
                "reached": [r["reached"] for r in records],
                "at": [r["at"] for r in records],
                "churn_rate": [r["churn_rate"] for r in records],
                "churn_n": [r["churned"] + r["at"] for r in records],
                "mean_health": [r["mean_health"] for r in records],
                "health_n": [r["health_count"] for r in records],
                "small": SMALL_GROUP,
            },
        )
    return render(request, "web/funnel.html", context, status=status)
