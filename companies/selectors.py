"""Reads of company data. Lists go through the user's scope: CSMs see their own companies (and those
companies' contacts, events and metric values), managers and admins everything."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from companies.models import Company, Contact, Event, MetricValue


def companies_search(companies: QuerySet[Company], text: str) -> QuerySet[Company]:
    """The companies whose name or domain contains `text` (any case), or whose external id is `text`."""
    text = text.strip()
    if not text:
        return companies
    return companies.filter(Q(name__icontains=text) | Q(domain__icontains=text) | Q(external_id=text))


def company_ids(*, user, external_ids: Iterable[str]) -> dict[str, int]:
    """External id → id of the companies among `external_ids` that the user may see (one query)."""
    return dict(
        Company.objects.visible_to(user)
        .filter(external_id__in=set(external_ids))
        .values_list("external_id", "id")
    )


def contact_companies(*, external_ids: Iterable[str]) -> dict[str, int | None]:
    """The company id of each contact among `external_ids` that exists (None: a contact without one)."""
    return dict(
        Contact.objects.filter(external_id__in=set(external_ids)).values_list("external_id", "company_id")
    )


def contact_list(*, user) -> QuerySet[Contact]:
    """Contacts of the companies the user may see; managers and admins also see contacts without one."""
    contacts = Contact.objects.select_related("company")
    if user.sees_everyone:
        return contacts
    return contacts.filter(company__in=Company.objects.visible_to(user))


def event_list(*, user) -> QuerySet[Event]:
    """Events of the companies the user may see, newest first. Managers and admins get no company filter:
    the API narrows to one company, and `IN (all companies)` would cost a scan."""
    events = Event.objects.select_related("company", "type", "contact").order_by("-occurred_at", "-id")
    if user.sees_everyone:
        return events
    return events.filter(company__in=Company.objects.visible_to(user))


def metric_value_list(*, user) -> QuerySet[MetricValue]:
    values = MetricValue.objects.select_related("company").order_by("metric", "-date")
    if user.sees_everyone:
        return values
    return values.filter(company__in=Company.objects.visible_to(user))


def company_events(*, company: Company) -> QuerySet[Event]:
    # Served by event_company_time, newest first.
    return (
        Event.objects.filter(company=company)
        .select_related("type", "contact")
        .order_by("-occurred_at", "-id")
    )


@dataclass(frozen=True)
class MetricReading:
    metric: str
    value: float
    date: date


def company_latest_metrics(*, company: Company) -> list[MetricReading]:
    """The latest value of each metric (a company reports a handful of metrics, tens of values each)."""
    latest: dict[str, MetricReading] = {}
    for metric, value, day in (
        MetricValue.objects.filter(company=company)
        .order_by("metric", "-date")
        .values_list("metric", "value", "date")
    ):
        latest.setdefault(metric, MetricReading(metric, value, day))
    return list(latest.values())


@dataclass(frozen=True)
class LifecycleSummary:
    customers: int
    prospects: int
    churned: int
    mrr: float


def lifecycle_summary(companies: QuerySet[Company]) -> LifecycleSummary:
    counts = dict(
        companies.order_by().values("lifecycle").annotate(n=Count("id")).values_list("lifecycle", "n")
    )
    mrr = companies.filter(lifecycle=Company.Lifecycle.CUSTOMER).aggregate(total=Sum("mrr"))["total"] or 0
    return LifecycleSummary(
        customers=counts.get(Company.Lifecycle.CUSTOMER, 0),
        prospects=counts.get(Company.Lifecycle.PROSPECT, 0),
        churned=counts.get(Company.Lifecycle.CHURNED, 0),
        mrr=float(mrr),
    )


def event_watermark() -> int:
    """The highest event id that no later commit can go under: ids are taken when a row is inserted, not
    when it commits, so the events received in the last WAYPOINT_EVENT_SETTLE_SECONDS (longer than any
    ingestion transaction) are left for the next run. Walks the primary key from the top: fast however
    large the table."""
    cutoff = timezone.now() - timedelta(seconds=settings.WAYPOINT_EVENT_SETTLE_SECONDS)
    newest = (
        Event.objects.filter(received_at__lte=cutoff).order_by("-id").values_list("id", flat=True).first()
    )
    return newest or 0


FILTER_VALUES_SECONDS = 300  # a new segment or plan shows in the filters within five minutes


@dataclass(frozen=True)
class FilterValues:
    segments: list[str]
    plans: list[str]


def company_filter_values() -> FilterValues:
    """The segments and plans in use, for the lists' filters. Cached: SELECT DISTINCT over every company on
    each page view cost more than the page's own query at 100,000 companies."""
    cached = cache.get("companies:filter-values")
    if cached is None:
        companies = Company.objects.order_by()
        cached = FilterValues(
            segments=sorted(v for v in companies.values_list("segment", flat=True).distinct() if v),
            plans=sorted(v for v in companies.values_list("plan", flat=True).distinct() if v),
        )
        cache.set("companies:filter-values", cached, FILTER_VALUES_SECONDS)
    return cached
