"""Admin helpers shared by the apps."""

from __future__ import annotations

import json

from django.contrib import admin
from django.db import connections, models, transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from core.models import JobLock, JobRun, OutboxMessage, WebhookEndpoint
from core.pagination import DeferredJoinPaginator

# Above this many rows an exact COUNT(*) costs more than a page view should; below it, counts are exact.
ESTIMATE_ABOVE = 100_000


class EstimatedCountPaginator(DeferredJoinPaginator):
    """For tables with millions of rows (events, metric values): on PostgreSQL, take the planner's row
    estimate instead of COUNT(*), which scans the whole table (or the filtered part of it) on every page
    view. Small results (under ESTIMATE_ABOVE) are still counted exactly. Deep pages load their rows by id
    (core/pagination.py), so page 4,000 of the events does not join 400,000 rows."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return super().count
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        estimate = int((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])
        return estimate if estimate > ESTIMATE_ABOVE else super().count


class CompanySearchMixin:
    """Search a large table by the company's external id, exactly. Admin's `=field` search compiles to a
    case-insensitive match that cannot use the unique index, which turns every search into a full scan."""

    company_lookup = "company__external_id"
    search_help_text = "The company's external id, exactly."

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(**{self.company_lookup: term}), False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that jobs or ingestion write: readable in admin, never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SingletonAdmin(admin.ModelAdmin):
    """Settings kept in one row (the model's `current()` creates it): the list goes straight to its form."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        row = self.model.current()
        opts = self.model._meta
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]))


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ("job", "as_of", "status", "started_at", "finished_at", "chunks_done", "chunks_total")
    list_filter = ("job", "status")
    ordering = ("-started_at",)


@admin.register(JobLock)
class JobLockAdmin(admin.ModelAdmin):
    list_display = ("name", "holder", "acquired_at", "expires_at")
    actions = ("free",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Free the lease (only when its run is known to be dead)")
    def free(self, request, queryset) -> None:
        freed = queryset.update(holder="", expires_at=None)
        self.message_user(request, f"Freed {freed} lease(s); the next run can start.")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Receivers of signed stage-change webhooks. A new endpoint gets a fresh secret; an endpoint that
    answered 410 Gone was disabled and says so."""

    list_display = ("url", "description", "is_active", "disabled_reason", "created_at")
    list_filter = ("is_active",)
    fields = ("url", "description", "secret", "is_active", "disabled_reason")
    readonly_fields = ("disabled_reason",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change) -> None:
        if obj.is_active:
            obj.disabled_reason = ""
        super().save_model(request, obj, form, change)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """Emails and webhooks waiting, sent or given up. Delivery is automatic; a message given up (or one
    waiting for its next attempt) can be sent again now."""

    list_display = (
        "created_at",
        "channel",
        "kind",
        "target",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
    )
    list_filter = ("status", "channel", "kind")
    list_select_related = ("endpoint",)
    ordering = ("-id",)
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    actions = ("send_again",)

    @admin.display(description="to")
    def target(self, message: OutboxMessage) -> str:
        return message.recipient or (message.endpoint.url if message.endpoint else "—")

    @admin.action(description="Send again now (messages given up or waiting to retry)")
    def send_again(self, request, queryset) -> None:
        from core.tasks import deliver_outbox_task

        count = queryset.filter(status__in=[OutboxMessage.Status.DEAD, OutboxMessage.Status.PENDING]).update(
            status=OutboxMessage.Status.PENDING, next_attempt_at=timezone.now(), attempts=0
        )
        transaction.on_commit(deliver_outbox_task.delay)
        self.message_user(request, f"{count} message(s) will be sent again.")
