"""The company pages: the list, a company's page, every step of its score, and its events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.selectors import csm_options
from companies.models import EventType
from companies.selectors import company_events, company_latest_metrics
from core.pagination import paginate
from funnel.selectors import company_forecast
from journey.selectors import journey_explanation
from milestones.labels import is_share, number_text, subject_of
from milestones.selectors import company_progress, company_timeline, criterion_gaps
from playbooks.selectors import success_plan
from playbooks.services import task_completion_set
from web.filters import CompanyFilter
from web.pages.ctas import company_ctas_context
from web.selectors import company_get
from web.selectors import company_journey as company_standing
from web.selectors import company_list as companies_visible


def company_list(request: HttpRequest) -> HttpResponse:
    companies = companies_visible(user=request.user)
    filterset = CompanyFilter(request.GET, queryset=companies)
    rows = filterset.qs
    # A total order, so pages neither repeat nor skip rows: the sort, then the id in the same direction
    # (one index walk: company_name_id, company_mrr_id).
    ordering = [str(field) for field in rows.query.order_by] or ["name"]
    rows = rows.order_by(*ordering, "-id" if ordering[-1].startswith("-") else "id")
    sees_all = request.user.sees_everyone
    page, query_string = paginate(request, rows, whole_table=sees_all and not filterset.narrows)
    return render(
        request,
        "web/companies/company_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "query_string": query_string,
            "csm_options": csm_options() if sees_all else [],
        },
    )


@dataclass(frozen=True)
class MetricShown:
    metric: str
    name: str  # in the customer's words
    text: str  # the whole value in its unit: "18.34%", "12,480"
    date: date


def company_detail(request: HttpRequest, external_id: str) -> HttpResponse:
    """Where the company stands now, stated once for the whole page: its buyer journey, its current
    milestone's checklist with why each unmet criterion is not met yet, its success plan, what to read, and
    its stage changes."""
    company = company_get(user=request.user, external_id=external_id)
    journey = company_standing(company=company, chart_days=90)
    current = next(
        (status for status in journey.milestones if status.milestone == journey.current_milestone), None
    )
    checklist = current.criteria if current else []
    gaps = criterion_gaps(company=company, values=checklist, day=journey.as_of)
    plan = success_plan(company=company, milestone=journey.current_milestone)
    progress = company_progress(company=company)
    forecast = company_forecast(company_id=company.pk)
    return render(
        request,
        "web/companies/company_detail.html",
        {
            "company_forecast": forecast,
            "company_forecast_day": (
                progress.as_of + timedelta(days=forecast.days_to_go)
                if forecast and progress and forecast.days_to_go is not None
                else None
            ),
            "company": company,
            "as_of": journey.explanation.at,
            "contacts": company.contacts.order_by("name", "email")[:20],
            "contact_count": company.contacts.count(),
            "events": company_events(company=company)[:15],
            "metrics": [
                MetricShown(
                    reading.metric,
                    subject_of(reading.metric),
                    number_text(reading.value, share=is_share(kind="metric", metric=reading.metric)),
                    reading.date,
                )
                for reading in company_latest_metrics(company=company)
            ],
            "timeline": company_timeline(company=company),
            "progress": progress,
            "standing": journey,
            "milestone_count": len(journey.milestones),
            "checklist": [(value, gaps.get(value.criterion.pk)) for value in checklist],
            "plan": plan,
            "plan_done": sum(item.done for item in plan),
            "journey": journey.explanation,
            "recent_steps": journey.explanation.steps[:8],
            "stage_changes": journey.explanation.changes[:12],
            **company_ctas_context(user=request.user, company=company),
        },
    )


@require_POST
def company_plan_task(request: HttpRequest, external_id: str, task_id: int) -> HttpResponse:
    """Check a success-plan task off for the company, or uncheck it (`done` = 1 or 0)."""
    company = company_get(user=request.user, external_id=external_id)
    task_completion_set(
        user=request.user, company_id=company.pk, task_id=task_id, done=request.POST.get("done") == "1"
    )
    return redirect(reverse("web:company_detail", args=[company.external_id]) + "#success-plan")


def company_journey(request: HttpRequest, external_id: str) -> HttpResponse:
    """Every step of the company's score, most recent first, and its stage changes."""
    company = company_get(user=request.user, external_id=external_id)
    journey = journey_explanation(company=company)
    page = Paginator(journey.steps, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "web/companies/company_journey.html",
        {"company": company, "journey": journey, "page_obj": page, "query_string": ""},
    )


def company_event_list(request: HttpRequest, external_id: str) -> HttpResponse:
    company = company_get(user=request.user, external_id=external_id)
    events = company_events(company=company)
    event_types = EventType.objects.order_by("name")
    selected = request.GET.get("type", "")
    if selected:
        events = events.filter(type__name=selected)
    page, query_string = paginate(request, events, per_page=50)
    return render(
        request,
        "web/companies/company_events.html",
        {
            "company": company,
            "page_obj": page,
            "query_string": query_string,
            "event_types": event_types,
            "selected_type": selected,
        },
    )
