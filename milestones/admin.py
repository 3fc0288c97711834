from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from core.admin import CompanySearchMixin, ReadOnlyAdmin, SharedChoicesInlineMixin, SingletonAdmin
from core.forms import LinesField
from core.models import JobRun
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
from milestones.tasks import REASSESS_JOB, reassess_queue


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
    readonly_fields = ("checklist_line",)
    fieldsets = (
        (None, {"fields": (("order", "kind"), ("subject", "checklist_line"))}),
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

    @admin.display(description="customers read")
    def checklist_line(self, criterion: Criterion) -> str:
        """The line as the checklist and the shared page show it, derived from the fields below."""
        return criterion.display_label if criterion.pk else "—"


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
    change_list_template = "admin/milestones/milestone_change_list.html"

    # Achievements keep their dates when a checklist changes (DESIGN §4.2): the edit applies to the coming
    # days, and to the past only through a re-assessment, which this list offers as a queued task.

    def get_urls(self):
        return [
            path("reassess/", self.admin_site.admin_view(self.reassess_view), name="milestones_reassess"),
            *super().get_urls(),
        ]

    def reassess_view(self, request):
        """GET: what a re-assessment does, and a button to confirm it (POST), which queues it."""
        if not request.user.has_perm("milestones.change_criterion"):
            raise PermissionDenied
        if request.method == "POST":
            reassess_queue()
            self.message_user(
                request,
                "Re-assessment queued: every customer's milestones are re-derived from the whole history with "
                "the current checklists. Its run (job “milestones”, rebuild) shows its progress and result.",
            )
            return redirect(reverse("admin:milestones_milestone_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Re-assess all customers?",
            "action": "re-assess all customers",
            "reassessment": self._latest_reassessment(),
        }
        return TemplateResponse(request, "admin/milestones/reassess_confirm.html", context)

    @staticmethod
    def _latest_reassessment() -> JobRun | None:
        return JobRun.objects.filter(job=REASSESS_JOB, detail__rebuild=True).order_by("-started_at").first()

    def changelist_view(self, request, extra_context=None):
        latest = JobRun.objects.filter(job=REASSESS_JOB, detail__rebuild=True).order_by("-started_at").first()
        return super().changelist_view(request, {**(extra_context or {}), "reassessment": latest})

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is Criterion and (
            formset.new_objects or formset.changed_objects or formset.deleted_objects
        ):
            self.message_user(
                request,
                format_html(
                    "The checklist changed. Achievements already recorded, positions and the funnel are "
                    "unchanged until a re-assessment: the coming daily runs use the new checklist for new "
                    'achievements only. <a href="{}">Re-assess all customers</a> to apply it to the past.',
                    reverse("admin:milestones_reassess"),
                ),
                level=messages.WARNING,
            )

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
