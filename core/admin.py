"""Admin helpers shared by the apps."""

from __future__ import annotations

import json

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteMixin
from django.core.paginator import Paginator
from django.db import connections, models, transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html

from core.models import JobLock, JobRun, OutboxMessage, WebhookEndpoint

# Above this many rows an exact COUNT(*) costs more than a page view should; below it, counts are exact.
ESTIMATE_ABOVE = 100_000


class EstimatedCountPaginator(Paginator):
    """For tables with millions of rows (events, metric values): on PostgreSQL, take the planner's row
    estimate instead of COUNT(*), which scans the whole table (or the filtered part of it) on every page
    view. Small results (under ESTIMATE_ABOVE) are still counted exactly."""

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


class _KnownLabels:
    """An autocomplete widget that renders its selected values from labels read once per page, instead of
    querying the related table for each row's selection."""

    labels: dict[str, str]

    def optgroups(self, name, value, attr=None):
        options: list = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        for item in value:
            if str(item) in self.labels:
                options.append(self.create_option(name, item, self.labels[str(item)], True, len(options)))
        return [(None, options, 0)]


_KNOWN_LABELS_CLASSES: dict[type, type] = {}


class SharedChoicesInlineMixin:
    """An inline whose relation fields (`shared_choice_fields`) read the related rows once per page, shared
    by every row's form and the blank row. Otherwise each row's select queries the related table again for
    its options, or its autocomplete for its selected values: one query per row and field, growing with the
    rows. Saving still validates against the field's queryset."""

    shared_choice_fields: tuple[str, ...] = ()

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Admin builds the formset class several times per page: what was read is kept on the request.
        shared = request.__dict__.setdefault("_shared_admin_choices", {})
        for name in self.shared_choice_fields:
            field = formset.form.base_fields[name]
            widget = getattr(field.widget, "widget", field.widget)  # inside admin's RelatedFieldWidgetWrapper
            if (self.model, name) not in shared:
                shared[self.model, name] = [
                    (str(row.pk), field.label_from_instance(row)) for row in field.queryset
                ]
            if isinstance(widget, AutocompleteMixin):
                cls = type(widget)
                if cls not in _KNOWN_LABELS_CLASSES:
                    _KNOWN_LABELS_CLASSES[cls] = type(f"KnownLabels{cls.__name__}", (_KnownLabels, cls), {})
                widget.__class__ = _KNOWN_LABELS_CLASSES[cls]
                widget.labels = dict(shared[self.model, name])  # each form's copy shares it (shallow)
            else:
                field.choices = widget.choices = shared[self.model, name]
        return formset


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


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    """What ran, and how it ended: running (with its progress), succeeded, failed (with the error) or
    abandoned (its process died; the next run marked it)."""

    list_display = ("job", "as_of", "state", "progress", "started_at", "finished_at", "duration", "error")
    list_filter = ("job", "status")
    ordering = ("-started_at",)
    fields = ("job", "as_of", "state", "progress", "started_at", "finished_at", "duration", "error", "result")
    readonly_fields = fields

    class Media:
        css = {"all": ["css/admin.css"]}

    @admin.display(description="state", ordering="status")
    def state(self, run: JobRun) -> str:
        return format_html('<span class="run-state run-{}">{}</span>', run.status, run.get_status_display())

    @admin.display(description="progress")
    def progress(self, run: JobRun) -> str:
        return f"{run.chunks_done} of {run.chunks_total} chunks" if run.chunks_total else "—"

    @admin.display(description="duration")
    def duration(self, run: JobRun) -> str:
        if run.finished_at is None:
            return f"{_duration((timezone.now() - run.started_at).total_seconds())} so far"
        return _duration((run.finished_at - run.started_at).total_seconds())

    @admin.display(description="error")
    def error(self, run: JobRun) -> str:
        return run.detail.get("error", "") or "—"

    @admin.display(description="result")
    def result(self, run: JobRun) -> str:
        detail = {key: value for key, value in run.detail.items() if key != "error"}
        return format_html("<pre>{}</pre>", json.dumps(detail, indent=2, sort_keys=True))


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
