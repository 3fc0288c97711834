from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.pagination import paginate
from journey import selectors
from journey.filters import CompanyFilter
from journey.models import EventType
from milestones.selectors import company_progress, company_timeline, milestone_sequence


def company_list(request: HttpRequest) -> HttpResponse:
    companies = selectors.company_list(user=request.user)
    filterset = CompanyFilter(request.GET, queryset=companies)
    page, query_string = paginate(request, filterset.qs)
    return render(
        request,
        "journey/company_list.html",
        {"filter": filterset, "page_obj": page, "query_string": query_string},
    )


def company_detail(request: HttpRequest, external_id: str) -> HttpResponse:
    company = selectors.company_get(user=request.user, external_id=external_id)
    events = selectors.company_events(company=company)[:15]
    journey = selectors.journey_explanation(company=company)
    return render(
        request,
        "journey/company_detail.html",
        {
            "company": company,
            "contacts": company.contacts.order_by("name", "email")[:20],
            "contact_count": company.contacts.count(),
            "events": events,
            "metrics": selectors.company_latest_metrics(company=company),
            "timeline": company_timeline(company=company),
            "progress": company_progress(company=company),
            "milestone_count": len(milestone_sequence()),
            "journey": journey,
            "recent_steps": journey.steps[:8],
        },
    )


def company_journey(request: HttpRequest, external_id: str) -> HttpResponse:
    """Every step of the company's score, most recent first, and its stage changes."""
    company = selectors.company_get(user=request.user, external_id=external_id)
    journey = selectors.journey_explanation(company=company)
    page = Paginator(journey.steps, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "journey/company_journey.html",
        {"company": company, "journey": journey, "page_obj": page, "query_string": ""},
    )


def company_event_list(request: HttpRequest, external_id: str) -> HttpResponse:
    company = selectors.company_get(user=request.user, external_id=external_id)
    events = selectors.company_events(company=company)
    event_types = EventType.objects.order_by("name")
    selected = request.GET.get("type", "")
    if selected:
        events = events.filter(type__name=selected)
    page, query_string = paginate(request, events, per_page=50)
    return render(
        request,
        "journey/company_events.html",
        {
            "company": company,
            "page_obj": page,
            "query_string": query_string,
            "event_types": event_types,
            "selected_type": selected,
        },
    )
