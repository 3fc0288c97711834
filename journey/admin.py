from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from core.admin import CompanySearchMixin, EstimatedCountPaginator, ReadOnlyAdmin, SingletonAdmin
from core.forms import LinesField
from journey.models import JourneyState, ScoringRule, ScoringSettings, Stage, StageChange, StageTrigger
from journey.scoring.domain import score_text as score
from journey.tasks import rebuild_journeys_queue


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "order", "lower_bound")
    ordering = ("order",)
    prepopulated_fields = {"key": ("name",)}

    @admin.display(description="lower bound", ordering="min_score")
    def lower_bound(self, stage: Stage) -> str:
        return score(stage.min_score)


# --- Scoring (DESIGN §3) ---------------------------------------------------------------------------------------


class RebuildLinkMixin:
    """Rules apply to new events at once; scores already computed follow them after a rebuild, which
    replays every company's history without notifying anyone. The list offers it."""

    change_list_template = "admin/journey/scoring_change_list.html"

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "rebuild/",
                self.admin_site.admin_view(self.rebuild_view),
                name=f"{opts.app_label}_{opts.model_name}_rebuild",
            ),
            *super().get_urls(),
        ]

    def rebuild_view(self, request):
        """GET: what a rebuild does, and a button to confirm it (POST), which queues it and shows its run."""
        if not request.user.has_perm("journey.change_scoringrule"):
            raise PermissionDenied
        if request.method == "POST":
            rebuild_journeys_queue()
            self.message_user(
                request,
                "Rebuild queued: every company's score is replayed with the current rules. Its run (job "
                "“scoring”) below shows its progress and result; stage changes it finds are recorded as "
                "history, without notifications.",
            )
            return redirect(reverse("admin:core_jobrun_changelist") + "?job=scoring")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Rebuild all scores?",
            "action": "rebuild all scores",
        }
        return TemplateResponse(request, "admin/journey/rebuild_confirm.html", context)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        self.message_user(
            request,
            "New events are scored with this change. Rebuild the scores (button on the list) to apply it to "
            "history.",
            level=messages.WARNING,
        )


@admin.register(ScoringRule)
class ScoringRuleAdmin(RebuildLinkMixin, admin.ModelAdmin):
    list_display = (
        "event_name",
        "condition",
        "kind",
        "points_shown",
        "ceiling_shown",
        "boost",
        "order",
        "is_active",
    )
    list_display_links = ("event_name", "condition")
    list_filter = ("kind", "is_active")
    search_fields = ("event_name",)
    fieldsets = (
        (None, {"fields": ("event_name", "kind", ("points", "ceiling"), ("order", "is_active"))}),
        (
            "Only events whose property…",
            {"fields": (("property_key", "property_operator", "property_value"),), "classes": ("collapse",)},
        ),
        ("Negative signals: faster decay afterwards", {"fields": (("decay_factor", "decay_days"),)}),
    )

    @admin.display(description="condition")
    def condition(self, rule: ScoringRule) -> str:
        return rule.property_condition_label() if rule.property_key else "—"

    @admin.display(description="points", ordering="points")
    def points_shown(self, rule: ScoringRule) -> str:
        return f"{rule.points / 100:+.2f}"

    @admin.display(description="ceiling", ordering="ceiling")
    def ceiling_shown(self, rule: ScoringRule) -> str:
        return score(rule.ceiling)

    @admin.display(description="decay afterwards")
    def boost(self, rule: ScoringRule) -> str:
        return f"×{rule.decay_factor / 100:g} for {rule.decay_days} days" if rule.decay_factor else "—"


class StageTriggerForm(forms.ModelForm):
    event_names = LinesField(help_text="The events it looks at, one per line; empty: any event.")

    class Meta:
        model = StageTrigger
        fields = (
            "name", "event_names", "is_active", "property_key", "property_operator", "property_value",
            "min_count", "counting", "window_days", "same_session", "stage", "floor",
        )  # fmt: skip


@admin.register(StageTrigger)
class StageTriggerAdmin(RebuildLinkMixin, admin.ModelAdmin):
    form = StageTriggerForm
    list_display = ("name", "events", "condition", "counting_rule", "effect", "is_active")
    list_filter = ("stage", "is_active")
    list_select_related = ("stage",)
    search_fields = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "event_names", "is_active")}),
        (
            "Only events whose property…",
            {"fields": (("property_key", "property_operator", "property_value"),), "classes": ("collapse",)},
        ),
        ("How many", {"fields": (("min_count", "counting"), ("window_days", "same_session"))}),
        ("Effect", {"fields": (("stage", "floor"),)}),
    )

    @admin.display(description="events")
    def events(self, trigger: StageTrigger) -> str:
        return ", ".join(trigger.event_names) or "any event"

    @admin.display(description="condition")
    def condition(self, trigger: StageTrigger) -> str:
        return trigger.property_condition_label() if trigger.property_key else "—"

    @admin.display(description="how many")
    def counting_rule(self, trigger: StageTrigger) -> str:
        if trigger.min_count <= 1 and not trigger.same_session:
            return "one"
        what = trigger.get_counting_display().lower()
        where = "in one session" if trigger.same_session else f"within {trigger.window_days} days"
        return f"{trigger.min_count}+ {what} {where}"

    @admin.display(description="raises to")
    def effect(self, trigger: StageTrigger) -> str:
        return trigger.stage.name if trigger.stage else f"at least {score(trigger.floor)}"


@admin.register(ScoringSettings)
class ScoringSettingsAdmin(SingletonAdmin):
    fieldsets = (
        ("Decay", {"fields": (("decay_points", "decay_every_days"),)}),
        (
            "Velocity bonuses (percent added to the points of engagement events)",
            {
                "fields": (
                    ("session_bonus", "session_bonus_sessions", "session_bonus_days"),
                    ("duration_bonus", "duration_bonus_sessions", "duration_bonus_days"),
                    ("content_bonus", "content_bonus_within_hours", "content_bonus_lasts_days"),
                )
            },
        ),
    )


@admin.register(JourneyState)
class JourneyStateAdmin(CompanySearchMixin, ReadOnlyAdmin):
    list_display = (
        "company",
        "score_shown",
        "stage",
        "last_engagement_at",
        "next_decay_at",
        "scored_through",
    )
    list_select_related = ("company", "stage")
    list_filter = ("stage",)
    ordering = ("-score", "company_id")
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    @admin.display(description="score", ordering="score")
    def score_shown(self, state: JourneyState) -> str:
        return score(state.score)


@admin.register(StageChange)
class StageChangeAdmin(CompanySearchMixin, ReadOnlyAdmin):
    list_display = ("at", "company", "from_stage", "to_stage", "score_shown", "cause", "event_name", "live")
    list_select_related = ("company", "from_stage", "to_stage")
    list_filter = ("cause", "live", "to_stage")
    ordering = ("-at",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    @admin.display(description="score", ordering="score")
    def score_shown(self, change: StageChange) -> str:
        return score(change.score)
