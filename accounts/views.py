from __future__ import annotations

from datetime import date

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import selectors, services
from core.days import today
from core.forms import row_id
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


def cover(request: HttpRequest) -> HttpResponse:
    """Out-of-office cover: a CSM names who covers for them and when; a manager does it for anyone."""
    user = request.user
    manages = user.sees_everyone
    if user.role is None:
        raise PermissionDenied
    if request.method == "POST":
        csm_id = request.POST.get("csm", "") if manages else str(user.pk)
        csm = selectors.csm_users().filter(pk=row_id(csm_id)).first() if row_id(csm_id) else None
        covered_id = request.POST.get("covered_by", "")
        covered_by = (
            selectors.csm_users().filter(pk=row_id(covered_id)).first() if row_id(covered_id) else None
        )
        starts_on, ends_on = _day(request.POST.get("starts_on")), _day(request.POST.get("ends_on"))
        if csm is None or covered_by is None or starts_on is None or ends_on is None:
            messages.error(request, "Choose the CSM away, who covers, and both days.")
            return redirect("accounts:cover")
        try:
            services.cover_set(csm=csm, covered_by=covered_by, starts_on=starts_on, ends_on=ends_on, by=user)
        except ValidationError as error:
            messages.error(request, "; ".join(m for ms in error.message_dict.values() for m in ms))
            return redirect("accounts:cover")
        messages.success(
            request,
            f"{covered_by.display_name} covers for {csm.display_name} from {starts_on:%b %-d} to {ends_on:%b %-d, %Y}.",
        )
        return redirect("accounts:cover")
    day = today()
    return render(
        request,
        "accounts/cover.html",
        {
            "covers": selectors.covers_list(user=None if manages else user, since=day),
            "csms": selectors.csm_users(),
            "manages": manages,
            "today": day,
        },
    )


@require_POST
def cover_end(request: HttpRequest, cover_id: int) -> HttpResponse:
    manages = request.user.sees_everyone
    covers = selectors.covers_list(user=None if manages else request.user, since=today())
    found = get_object_or_404(covers, pk=cover_id)
    if not manages and found.csm_id != request.user.pk:
        raise Http404("No such cover.")
    services.cover_end(cover=found, by=request.user, day=today())
    messages.success(request, "Cover ended.")
    return redirect("accounts:cover")


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


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
