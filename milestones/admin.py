from django import forms
from django.contrib import admin
from django.db.models import OuterRef

from core.admin import CompanySearchMixin, ReadOnlyAdmin, SharedChoicesInlineMixin, SingletonAdmin
from core.forms import LinesField
from core.queries import count_of
from milestones.models import (
    Achievement,
    CompanyProgress,
    Criterion,
    CsmFunnelSnapshot,
    CTARule,
    CTAType,
    FunnelSnapshot,
    HealthSettings,
    Milestone,
    Phase,
)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    fields = ("order", "name", "key", "target_days")
    prepopulated_fields = {"key": ("name",)}
    ordering = ("order",)
    extra = 0
    show_change_link = True


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ("order", "name", "typical_duration", "milestone_count")
    list_display_links = ("name",)
    ordering = ("order",)
    prepopulated_fields = {"key": ("name",)}
    inlines = (MilestoneInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(milestone_count=count_of(Milestone.objects.filter(phase=OuterRef("pk"))))
        )

    @admin.display(description="milestones", ordering="milestone_count")
    def milestone_count(self, phase: Phase) -> int:
        return phase.milestone_count


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0
    ordering = ("order",)
    fieldsets = (
        (None, {"fields": (("order", "kind"), "label")}),
        (
            "What is measured",
            {
                "fields": (
                    ("event_name", "metric"),
                    ("denominator_event_name", "min_denominator"),
                    ("comparator", "threshold", "window_days"),
                )
            },
        ),
        (
            "Only events whose property…",
            {"fields": (("property_key", "property_operator", "property_value"),), "classes": ("collapse",)},
        ),
    )


class ResourceInline(SharedChoicesInlineMixin, admin.TabularInline):
    model = Milestone.resources.through
    autocomplete_fields = ("resource",)
    shared_choice_fields = ("resource",)  # one read of the resources for every row, not a query per row
    extra = 0
    verbose_name = "resource"
    verbose_name_plural = "resources (content that helps)"


class CTARuleInline(admin.TabularInline):
    model = CTARule
    # No type here (a select per row would read the types once per row): the rule's own page edits it.
    fields = ("name", "trigger", "min_days_at_position", "every_days", "priority", "is_active")
    show_change_link = True
    extra = 0
    verbose_name_plural = "CTA rules for customers stuck at this milestone"


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ("name", "phase", "order", "target_days", "criterion_count", "achieved_count")
    list_filter = ("phase",)
    list_select_related = ("phase",)
    ordering = ("phase__order", "order")
    search_fields = ("name", "key")
    prepopulated_fields = {"key": ("name",)}
    exclude = ("resources",)  # edited in ResourceInline: one place, not two that overwrite each other
    inlines = (CriterionInline, CTARuleInline, ResourceInline)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                criterion_count=count_of(Criterion.objects.filter(milestone=OuterRef("pk"))),
                achieved_count=count_of(Achievement.objects.filter(milestone=OuterRef("pk"))),
            )
        )

    @admin.display(description="checklist items", ordering="criterion_count")
    def criterion_count(self, milestone: Milestone) -> int:
        return milestone.criterion_count

    @admin.display(description="companies achieved", ordering="achieved_count")
    def achieved_count(self, milestone: Milestone) -> int:
        return milestone.achieved_count


@admin.register(Achievement)
class AchievementAdmin(CompanySearchMixin, ReadOnlyAdmin):
    """Achievements are derived from events by the daily assessment: read-only."""

    list_display = ("company", "milestone", "achieved_on", "recorded_at")
    list_select_related = ("company", "milestone")
    list_filter = ("milestone",)
    search_fields = ("company__external_id",)
    ordering = ("-achieved_on",)
    raw_id_fields = ("company",)


@admin.register(CTAType)
class CTATypeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "slug")


@admin.register(CTARule)
class CTARuleAdmin(admin.ModelAdmin):
    """What opens CTAs. The playbook (the tasks every CTA of the rule gets) is edited on this page too
    (playbooks/admin.py adds it)."""

    list_display = (
        "name",
        "trigger",
        "milestone_or_any",
        "threshold",
        "cta_type",
        "priority",
        "due_in_days",
        "is_active",
    )
    list_filter = ("is_active", "trigger", "cta_type", "milestone")
    list_select_related = ("milestone", "cta_type")
    search_fields = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "is_active", "cta_type", "priority")}),
        ("When it fires", {"fields": ("trigger", "milestone", "min_days_at_position", "every_days")}),
        ("The CTA", {"fields": ("due_in_days", "cooldown_days")}),
    )

    @admin.display(description="milestone", ordering="milestone__name")
    def milestone_or_any(self, rule: CTARule) -> str:
        return rule.milestone.name if rule.milestone else "Any milestone"

    @admin.display(description="fires")
    def threshold(self, rule: CTARule) -> str:
        if rule.trigger == CTARule.Trigger.RECURRING:
            return f"every {rule.every_days} days"
        return f"after {rule.min_days_at_position} days at the milestone"


class HealthSettingsForm(forms.ModelForm):
    key_actions = LinesField(help_text="Event names that count as key actions, one per line.")

    class Meta:
        model = HealthSettings
        fields = ("window_days", "activity_weight", "key_action_weight", "key_actions")


@admin.register(HealthSettings)
class HealthSettingsAdmin(SingletonAdmin):
    form = HealthSettingsForm


class StuckFilter(admin.SimpleListFilter):
    title = "stuck"
    parameter_name = "stuck"

    def lookups(self, request, model_admin):
        return (("yes", "Stuck"), ("no", "Not stuck"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(stuck_since__isnull=False)
        if self.value() == "no":
            return queryset.filter(stuck_since__isnull=True)
        return queryset


@admin.register(CompanyProgress)
class CompanyProgressAdmin(CompanySearchMixin, ReadOnlyAdmin):
    list_display = (
        "company",
        "active",
        "position",
        "current_milestone",
        "days_at_position",
        "stuck_since",
        "health",
        "as_of",
    )
    list_filter = ("active", StuckFilter, "current_milestone")
    list_select_related = ("company", "current_milestone")
    search_fields = ("company__external_id",)
    ordering = ("-days_at_position",)


@admin.register(FunnelSnapshot)
class FunnelSnapshotAdmin(ReadOnlyAdmin):
    list_display = (
        "as_of",
        "position",
        "milestone",
        "segment",
        "plan",
        "cohort",
        "customers",
        "stuck",
        "churned",
    )
    list_filter = ("as_of", "segment", "plan")
    list_select_related = ("milestone",)
    ordering = ("-as_of", "position")


@admin.register(CsmFunnelSnapshot)
class CsmFunnelSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("as_of", "position", "milestone", "csm", "customers", "stuck", "churned")
    list_filter = ("as_of",)
    list_select_related = ("milestone", "csm")
    ordering = ("-as_of", "position")
