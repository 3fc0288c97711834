"""The company pages: the list, a company's page, every step of its score, and its events."""

from __future__ import annotations

from datetime import timedelta

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from companies.models import EventType
from companies.selectors import company_events, company_latest_metrics
from core.pagination import paginate
from funnel.selectors import company_forecast
from journey.selectors import journey_explanation
from milestones.selectors import company_progress, company_timeline, milestone_sequence
from web.filters import CompanyFilter
from web.selectors import company_get
from web.selectors import company_list as companies_visible


def company_list(request: HttpRequest) -> HttpResponse:
    companies = companies_visible(user=request.user)
    filterset = CompanyFilter(request.GET, queryset=companies)
    page, query_string = paginate(request, filterset.qs)
    return render(
        request,
        "web/companies/company_list.html",
        {"filter": filterset, "page_obj": page, "query_string": query_string},
    )


def company_detail(request: HttpRequest, external_id: str) -> HttpResponse:
    company = company_get(user=request.user, external_id=external_id)
    events = company_events(company=company)[:15]
    journey = journey_explanation(company=company)
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
            "contacts": company.contacts.order_by("name", "email")[:20],
            "contact_count": company.contacts.count(),
            "events": events,
            "metrics": company_latest_metrics(company=company),
            "timeline": company_timeline(company=company),
            "progress": progress,
            "milestone_count": len(milestone_sequence()),
            "journey": journey,
            "recent_steps": journey.steps[:8],
        },
    )


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
