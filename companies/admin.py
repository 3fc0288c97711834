"""Companies, contacts, events and metric values in admin. Events and metric values are tables of millions of
rows: their lists avoid full-table work (index order, estimated counts, exact-match search)."""

from django.contrib import admin

from companies.models import Company, Contact, Event, EventType, MetricValue
from companies.selectors import companies_search, company_filter_values
from core.admin import CompanySearchMixin, EstimatedCountPaginator, ReadOnlyAdmin


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ("name", "email", "external_id", "title")
    extra = 0
    show_change_link = True


class _CachedValuesFilter(admin.SimpleListFilter):
    """Segment and plan filters from the cached list of values in use (companies/selectors.py), not a
    SELECT DISTINCT over every company on each page view."""

    def lookups(self, request, model_admin):
        return [(value, value) for value in getattr(company_filter_values(), self.values)]

    def queryset(self, request, queryset):
        return queryset.filter(**{self.parameter_name: self.value()}) if self.value() else queryset


class SegmentFilter(_CachedValuesFilter):
    title, parameter_name, values = "segment", "segment", "segments"


class PlanFilter(_CachedValuesFilter):
    title, parameter_name, values = "plan", "plan", "plans"


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    """At 100,000 companies: sorted by name then id (the company_name_id index), estimated counts, cached
    filter values, and the lists' search (trigram indexes on PostgreSQL). No CSM filter: listing the CSMs
    of every company is a scan; filter by CSM on the companies page instead."""

    list_display = ("name", "external_id", "lifecycle", "segment", "plan", "mrr", "csm", "customer_since")
    list_filter = ("lifecycle", SegmentFilter, PlanFilter)
    list_select_related = ("csm",)
    search_fields = ("name", "domain", "external_id")
    search_help_text = "Part of the name or domain, or the external id."
    ordering = ("name", "id")
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50  # rendering admin rows costs more than finding them
    autocomplete_fields = ("csm",)
    inlines = (ContactInline,)
    fieldsets = (
        (None, {"fields": ("name", "external_id", "domain", "csm")}),
        ("Account", {"fields": ("lifecycle", "customer_since", "churned_on", "segment", "plan", "mrr")}),
    )

    def get_search_results(self, request, queryset, search_term):
        return companies_search(queryset, search_term), False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("__str__", "email", "external_id", "company", "created_at")
    list_select_related = ("company",)
    ordering = ("-id",)  # newest first, by the primary key: sorting 300k names per page view is slow
    search_fields = ("name", "=email", "=external_id", "=company__external_id")
    autocomplete_fields = ("company",)


@admin.register(EventType)
class EventTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "id")
    search_fields = ("name",)

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # names are keys the events point at; renaming one would rewrite history


@admin.register(Event)
class EventAdmin(CompanySearchMixin, ReadOnlyAdmin):
    """Events are facts: read-only here. With millions of rows the list avoids full-table work: newest
    first by id (the primary key index), estimated counts, and exact-match searches only."""

    list_display = ("occurred_at", "type", "company", "contact", "source", "message_id")
    list_select_related = ("type", "company", "contact")
    # No filter on `source`: listing its values would scan every event.
    list_filter = ("type",)
    search_fields = ("company__external_id",)  # see CompanySearchMixin; message_id alone has no index
    ordering = ("-id",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    raw_id_fields = ("company", "contact")


@admin.register(MetricValue)
class MetricValueAdmin(CompanySearchMixin, admin.ModelAdmin):
    list_display = ("company", "metric", "date", "value")
    list_select_related = ("company",)
    # Search by company only (index-served): a metric filter or search would scan every value.
    search_fields = ("company__external_id",)
    ordering = ("-id",)
    autocomplete_fields = ("company",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
