"""Reads for the accounts pages."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import ApiToken, Notification, User
from core.secrets import secret_digest

UNREAD_SHOWN = 99  # the sidebar shows "99+" beyond this: counting further is work nobody reads


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def notifications_unread_count(*, user: User) -> int:
    """Unread notifications, counted up to UNREAD_SHOWN + 1."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True).values("id")[: UNREAD_SHOWN + 1]
    return len(unread)


def api_token_for(*, secret: str) -> ApiToken | None:
    """The token with this secret (revoked or not), with its user. One indexed lookup by digest: no
    comparison of secrets, so nothing to time."""
    return ApiToken.objects.select_related("user").filter(digest=secret_digest(secret)).first()
