from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.selectors import notifications_unread_count


def role(request: HttpRequest) -> dict:
    """The user's role, and their unread notifications for the sidebar (lazily: counted only when a page
    shows it, by the inbox index)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_role": None, "unread_notifications": 0}
    return {
        "user_role": user.role,
        "unread_notifications": SimpleLazyObject(lambda: notifications_unread_count(user=user)),
    }
