"""Reads for the accounts pages."""

from __future__ import annotations

from datetime import date

from django.core.cache import cache
from django.db import models
from django.db.models import QuerySet

from accounts.models import ApiToken, Cover, Notification, User
from accounts.roles import GROUP_NAMES, Role
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


def covered_by(user: User, day: date) -> QuerySet[User]:
    """The CSMs `user` covers for on `day` (a subquery: one query with whatever uses it)."""
    return User.objects.filter(
        id__in=Cover.objects.filter(covered_by=user, starts_on__lte=day, ends_on__gte=day).values("csm_id")
    )


def covers_list(*, user: User | None = None, since: date) -> QuerySet[Cover]:
    """Covers that end on or after `since`: the user's own (as the CSM away or as the one covering), or
    everyone's when `user` is None."""
    covers = Cover.objects.filter(ends_on__gte=since).select_related("csm", "covered_by", "created_by")
    if user is not None:
        covers = covers.filter(models.Q(csm=user) | models.Q(covered_by=user))
    return covers.order_by("starts_on", "id")


def csm_users() -> QuerySet[User]:
    """Active users with the CSM role, by name."""
    return User.objects.filter(groups__name=GROUP_NAMES[Role.CSM], is_active=True).order_by(
        "first_name", "last_name", "username"
    )


CSM_OPTIONS_SECONDS = 60


def csm_options() -> list[tuple[str, str]]:
    """(username, name) of every CSM, for the CSM filter's suggestions: one plain query, cached a minute
    (a workspace has hundreds of CSMs; a <select> of them built with form widgets cost ~400 ms a page)."""
    options = cache.get("accounts:csm-options")
    if options is None:
        options = [
            (username, f"{first} {last}".strip() or username)
            for username, first, last in User.objects.filter(groups__name=GROUP_NAMES[Role.CSM])
            .order_by("username")
            .values_list("username", "first_name", "last_name")
        ]
        cache.set("accounts:csm-options", options, CSM_OPTIONS_SECONDS)
    return options
