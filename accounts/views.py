from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import selectors, services
from core.pagination import paginate


def notification_list(request: HttpRequest) -> HttpResponse:
    page, query_string = paginate(request, selectors.notification_list(user=request.user))
    return render(request, "accounts/notifications.html", {"page_obj": page, "query_string": query_string})


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    changed = services.notifications_mark_read(user=request.user)
    messages.success(request, f"{changed} notification{'' if changed == 1 else 's'} marked as read.")
    return redirect("accounts:notifications")


def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification's link, marking it read (only the user's own: others' ids are 404)."""
    notification = get_object_or_404(selectors.notification_list(user=request.user), id=notification_id)
    services.notifications_mark_read(user=request.user, ids=[notification.id])
    return redirect(
        notification.link if url_has_allowed_host_and_scheme(notification.link, None) else "web:home"
    )
