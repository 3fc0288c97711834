"""CTAs in admin: readable, with their tasks and history; people change them on the pages (the services
record every change), so admin does not edit them."""

from django.contrib import admin

from core.admin import CompanySearchMixin, ReadOnlyAdmin
from ctas.models import CTA, CTAChange, CTATask


class CTATaskInline(admin.TabularInline):
    model = CTATask
    fields = ("order", "title", "due_on", "done_by", "done_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CTAChangeInline(admin.TabularInline):
    model = CTAChange
    fields = ("at", "by", "field", "from_value", "to_value")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CTA)
class CTAAdmin(CompanySearchMixin, ReadOnlyAdmin):
    list_display = (
        "company",
        "cta_type",
        "status",
        "outcome",
        "owner",
        "due_on",
        "priority_score",
        "created_on",
    )
    list_filter = ("status", "cta_type", "outcome")
    list_select_related = ("company", "cta_type", "owner")
    search_fields = ("company__external_id",)
    raw_id_fields = ("company",)
    ordering = ("-created_on", "-id")
    inlines = (CTATaskInline, CTAChangeInline)
