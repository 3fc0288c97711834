from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import ApiToken, Cover, Notification, User
from accounts.services import api_token_issue, api_tokens_revoke
from core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "roles", "is_active", "is_staff")
    list_filter = ("groups", "is_active", "is_staff", "is_superuser")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="roles")
    def roles(self, user: User) -> str:
        return ", ".join(sorted(group.name for group in user.groups.all())) or "—"


class CoverForm(forms.ModelForm):
    class Meta:
        model = Cover
        fields = ("csm", "covered_by", "starts_on", "ends_on")

    def clean(self):
        data = super().clean()
        csm, starts_on, ends_on = data.get("csm"), data.get("starts_on"), data.get("ends_on")
        if csm and starts_on and ends_on:
            overlap = Cover.objects.filter(csm=csm, starts_on__lte=ends_on, ends_on__gte=starts_on)
            if self.instance.pk:
                overlap = overlap.exclude(pk=self.instance.pk)
            if overlap.exists():
                raise forms.ValidationError(f"{csm.display_name} is already covered on some of these days.")
        return data


@admin.register(Cover)
class CoverAdmin(admin.ModelAdmin):
    """Out-of-office covers. The cover page (/accounts/cover/) checks overlaps under a lock; this form checks
    them too, for an admin's edits."""

    form = CoverForm

    list_display = ("csm", "covered_by", "starts_on", "ends_on", "created_by")
    list_select_related = ("csm", "covered_by", "created_by")
    search_fields = ("=csm__username", "=covered_by__username")
    autocomplete_fields = ("csm", "covered_by")
    readonly_fields = ("created_by",)
    ordering = ("-starts_on",)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "title", "read_at")
    list_filter = (("read_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("=user__username",)
    ordering = ("-id",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """REST API tokens. A new token's secret is shown once, in the message after saving; only its digest is
    kept. Revoke rather than delete, so the list still says who had access and when it was last used."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("=user__username", "name", "=prefix")
    autocomplete_fields = ("user",)
    actions = ("revoke",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name")
        return ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("user", "prefix", "created_at", "last_used_at", "revoked_at")

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        secret = api_token_issue(token=obj)
        self.message_user(
            request,
            f"The secret of “{obj.name}”, shown only this once, copy it now: {secret}",
            level=messages.WARNING,
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset) -> None:
        revoked = api_tokens_revoke(tokens=queryset)
        self.message_user(request, f"Revoked {revoked} token(s); requests with them now get a 401.")
