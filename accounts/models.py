from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Now

from accounts.roles import Role, role_for_group_names


class User(AbstractUser):
    """A Waypoint user. The role (CSM, Manager, Admin) is the user's group; see accounts/roles.py."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        permissions = [
            ("work_queue", "Can work a CSM queue of stuck accounts and CTAs"),
            ("view_success_funnel", "Can view the success funnel and analytics"),
        ]

    @cached_property
    def role(self) -> Role | None:
        if self.is_superuser:
            return Role.ADMIN
        return role_for_group_names(self.groups.values_list("name", flat=True))

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Notification(models.Model):
    """An in-app notification for one user (the owner CSM of a company that changed stage)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(db_default=Now())
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # A user's unread notifications, newest first (the bell count and the list).
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.title
