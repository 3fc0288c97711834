"""The three roles are Django groups with permissions, so admins can see and adjust them in Django admin.

CSMs work their own companies and CTAs; managers read everything and see the funnel; admins also edit the
methodology, the rules and the schedules (and are staff, for Django admin)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

# The apps with models whose rows the roles read (and admins edit).
DOMAIN_APPS = ("companies", "content", "journey", "ingestion", "milestones", "playbooks", "ctas", "funnel")


class Role(models.TextChoices):
    CSM = "csm", "CSM"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"


GROUP_NAMES: dict[Role, str] = {Role.CSM: "CSM", Role.MANAGER: "Manager", Role.ADMIN: "Admin"}

# Highest first: a user in several groups has the strongest role.
_PRECEDENCE = (Role.ADMIN, Role.MANAGER, Role.CSM)


def role_for_group_names(names: Iterable[str]) -> Role | None:
    present = set(names)
    for role in _PRECEDENCE:
        if GROUP_NAMES[role] in present:
            return role
    return None


def permission_codes_for(role: Role) -> dict[str, set[str] | str]:
    """What each role may do, as {app_label: set of codenames} or {app_label: "view"/"all"}."""
    if role == Role.CSM:
        return {
            "accounts": {"work_queue"},
            **dict.fromkeys(DOMAIN_APPS, "view"),
        }
    if role == Role.MANAGER:
        return {
            "accounts": {"view_success_funnel", "view_user"},
            **dict.fromkeys(DOMAIN_APPS, "view"),
        }
    return {
        "accounts": "all",
        "auth": "all",
        "core": "all",
        **dict.fromkeys(DOMAIN_APPS, "all"),
        "django_celery_beat": "all",
        "axes": "all",  # sign-in attempts and lockouts: admins see them and lift locks
    }
