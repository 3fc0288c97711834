from __future__ import annotations

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
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


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form in the app's layout. The link in the email starts with WAYPOINT_BASE_URL, not the
    request's Host header, so a forged Host cannot point a user's reset link elsewhere."""

    template_name = "accounts/password_reset_form.html"
    subject_template_name = "emails/password_reset_subject.txt"
    email_template_name = "emails/password_reset_email.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        self.extra_email_context = {"base_url": settings.WAYPOINT_BASE_URL}
        return super().form_valid(form)


def locked_out(request: HttpRequest, response: HttpResponse | None, credentials: dict | None) -> HttpResponse:
    """What django-axes answers while sign-in is locked (AXES_LOCKOUT_CALLABLE), for the app's login form and
    the admin's alike: the lock and its duration, in the app's layout, with 429 Too Many Requests."""
    cool_off = get_cool_off(request)
    minutes = round(cool_off.total_seconds() / 60) if cool_off else 0
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
