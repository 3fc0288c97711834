from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path, reverse

from core.admin import CompanySearchMixin, EstimatedCountPaginator, ReadOnlyAdmin, SingletonAdmin
from core.forms import LinesField
from core.templatetags.waypoint import score
from journey.models import (
    Company,
    Contact,
    Event,
    EventType,
    JourneyState,
    MetricValue,
    PendingEvent,
    RejectedMessage,
    ScoringRule,
    ScoringSettings,
    Stage,
    StageChange,
    StageTrigger,
    WriteKey,
)
from journey.services.ingestion import pending_attribute, write_key_create, write_key_revoke


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "order", "lower_bound")
    ordering = ("order",)
    prepopulated_fields = {"key": ("name",)}

    @admin.display(description="lower bound", ordering="min_score")
    def lower_bound(self, stage: Stage) -> str:
        return score(stage.min_score)


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ("name", "email", "external_id", "title")
    extra = 0
    show_change_link = True


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "external_id", "lifecycle", "segment", "plan", "mrr", "csm", "customer_since")
    list_filter = ("lifecycle", "segment", "plan", ("csm", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("csm",)
    search_fields = ("name", "=external_id", "domain")
    autocomplete_fields = ("csm",)
    inlines = (ContactInline,)
    fieldsets = (
        (None, {"fields": ("name", "external_id", "domain", "csm")}),
        ("Account", {"fields": ("lifecycle", "customer_since", "churned_on", "segment", "plan", "mrr")}),
    )


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
        opts = self.model._meta
        if request.method != "POST" or not request.user.has_perm("journey.change_scoringrule"):
            raise PermissionDenied
        from journey.tasks import rebuild_journeys_task

        rebuild_journeys_task.delay()
        self.message_user(
            request,
            "Rebuild started: every company's score is replayed with the current rules. Stage changes it "
            "finds are recorded as history, without notifications.",
        )
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

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


# --- Ingestion -------------------------------------------------------------------------------------------


class WriteKeyForm(forms.ModelForm):
    class Meta:
        model = WriteKey
        fields = ("name", "source")


@admin.register(WriteKey)
class WriteKeyAdmin(admin.ModelAdmin):
    """Keys for the Segment-compatible endpoints. Adding one shows its secret once; keys are revoked, not
    deleted, so the events they sent keep a known source."""

    form = WriteKeyForm
    list_display = ("name", "source", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("source", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "source", "prefix")
    actions = ("revoke",)

    def get_readonly_fields(self, request, obj=None):
        return ("source", "prefix", "created_at", "last_used_at", "revoked_at") if obj else ()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: WriteKey, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        key, secret = write_key_create(name=obj.name, source=obj.source)
        obj.pk = key.pk
        self.message_user(
            request,
            f"Write key created. Copy the secret now; it is not shown again: {secret}",
            messages.WARNING,
        )

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset) -> None:
        for key in queryset.filter(revoked_at__isnull=True):
            write_key_revoke(key=key)
        self.message_user(request, "Revoked. Requests with those keys now get 401.", messages.SUCCESS)


@admin.register(RejectedMessage)
class RejectedMessageAdmin(ReadOnlyAdmin):
    """Messages of accepted requests that were not stored, with the reason (the rest of the batch was)."""

    list_display = ("received_at", "source", "code", "type", "message_id", "reason")
    list_filter = ("code", "source", "type")
    search_fields = ("message_id",)
    date_hierarchy = "received_at"
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser or request.user.has_perm("journey.delete_rejectedmessage")


@admin.register(PendingEvent)
class PendingEventAdmin(ReadOnlyAdmin):
    """Events no company could be found for yet. An identify or group call linking their user or group to a
    company moves them into the events; "Attribute now" retries after a company was added by hand."""

    list_display = ("name", "user_id", "anonymous_id", "group_id", "occurred_at", "received_at", "source")
    list_filter = ("source", "name")
    search_fields = ("user_id", "anonymous_id", "group_id", "message_id")
    show_full_result_count = False
    actions = ("attribute",)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and request.user.has_perm("journey.change_pendingevent")

    @admin.action(description="Attribute the selected events now", permissions=["change"])
    def attribute(self, request, queryset) -> None:
        with transaction.atomic():
            moved = pending_attribute(queryset)
        left = queryset.count()
        self.message_user(request, f"{moved} attributed; {left} still without a company.", messages.INFO)
