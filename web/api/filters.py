"""Query parameters of the journey API's lists. Events and metric values are listed per company only: a
required `company` keeps every request to one company's rows (an index range), never a scan of all."""

from __future__ import annotations

from datetime import UTC, datetime

import django_filters
from drf_spectacular.utils import extend_schema_field

from companies.models import Company, Contact, Event, MetricValue
from companies.selectors import companies_search
from core.api_schema import NOT_BLANK


class CompanyFilter(django_filters.FilterSet):
    lifecycle = django_filters.ChoiceFilter(choices=Company.Lifecycle.choices)
    csm = django_filters.CharFilter(field_name="csm__username", help_text="The CSM's username.")
    segment = django_filters.CharFilter()
    plan = django_filters.CharFilter()
    stage = django_filters.CharFilter(
        field_name="journey__stage__key", help_text="Buyer-journey stage slug, e.g. evaluation."
    )
    search = django_filters.CharFilter(
        method="search_filter", help_text="Part of the name or the domain, or the whole external id."
    )

    class Meta:
        model = Company
        fields = ["lifecycle", "csm", "segment", "plan", "stage", "search"]

    def search_filter(self, queryset, name: str, value: str):
        return companies_search(queryset, value)


class ContactFilter(django_filters.FilterSet):
    company = django_filters.CharFilter(
        field_name="company__external_id", help_text="The company's external id."
    )
    email = django_filters.CharFilter(field_name="email", lookup_expr="iexact")

    class Meta:
        model = Contact
        fields = ["company", "email"]


class _OneCompany(django_filters.FilterSet):
    company = django_filters.CharFilter(method="company_filter", required=True)

    # Trimmed like every external id: one of spaces only is missing (a 400).
    @extend_schema_field(
        {"type": "string", "pattern": NOT_BLANK, "description": "The company's external id."}
    )
    def company_filter(self, queryset, name: str, value: str):
        return queryset.filter(
            company__in=Company.objects.visible_to(self.request.user).filter(external_id=value)
        )


class MomentFilter(django_filters.IsoDateTimeFilter):
    """A moment compared in UTC: ISO 8601 allows offsets up to ±23:59, PostgreSQL only up to ±15:59."""

    def filter(self, qs, value):
        if value is not None:
            try:
                value = value.astimezone(UTC)
            except OverflowError:  # beyond year 1 or 9999 once in UTC: past every stored moment
                value = (
                    datetime.max.replace(tzinfo=UTC) if value.year > 1 else datetime.min.replace(tzinfo=UTC)
                )
        return super().filter(qs, value)


class EventFilter(_OneCompany):
    event = django_filters.CharFilter(field_name="type__name", help_text="Only events with this name.")
    since = MomentFilter(
        field_name="occurred_at", lookup_expr="gte", help_text="Events at or after this moment (ISO 8601)."
    )
    until = MomentFilter(
        field_name="occurred_at", lookup_expr="lt", help_text="Events before this moment (ISO 8601)."
    )

    class Meta:
        model = Event
        fields = ["company", "event", "since", "until"]


class MetricValueFilter(_OneCompany):
    metric = django_filters.CharFilter()
    since = django_filters.DateFilter(field_name="date", lookup_expr="gte", help_text="Days from this one.")
    until = django_filters.DateFilter(field_name="date", lookup_expr="lte", help_text="Days up to this one.")

    class Meta:
        model = MetricValue
        fields = ["company", "metric", "since", "until"]
