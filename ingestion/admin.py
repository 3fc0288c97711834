"""Write keys, rejected messages and pending events of the Segment-compatible endpoints."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction

from core.admin import ReadOnlyAdmin
from ingestion.models import PendingEvent, RejectedMessage, WriteKey
from ingestion.services.pending import pending_attribute
from ingestion.services.write_keys import write_key_create, write_key_revoke


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
