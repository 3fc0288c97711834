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
    def sees_everyone(self) -> bool:
        """Managers and admins: every company, CSM and CTA, and they may assign them."""
        return self.role in (Role.MANAGER, Role.ADMIN)

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


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A credential for the REST API (`Authorization: Token <key>`) that acts as its user, with that user's
    role: a person's script, or a service's user (e.g. a CRM sync with the Manager role). Stored as a
    SHA-256 digest (core/secrets.py); the secret is shown once, when the token is made."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=120, help_text="What it is for, e.g. 'CRM sync (production)'.")
    prefix = models.CharField(max_length=16, editable=False, help_text="The secret's first characters.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    last_used_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Recorded at most once a minute."
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Cover(models.Model):
    """Out-of-office cover: while `csm` is away (starts_on to ends_on, both days included), `covered_by`
    works their accounts: new CTAs go to them and they see the companies. Periods of one CSM never overlap
    (accounts/services.py checks it under a lock)."""

    csm = models.ForeignKey(User, on_delete=models.CASCADE, related_name="covers")
    covered_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="covering")
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="cover_ends_after_start",
                violation_error_message="A cover ends on or after the day it starts.",
            ),
            models.CheckConstraint(
                condition=~models.Q(covered_by=models.F("csm")),
                name="cover_not_self",
                violation_error_message="Someone else covers for a CSM.",
            ),
        ]
        indexes = [models.Index(fields=["csm", "starts_on", "ends_on"], name="cover_csm_days")]

    def __str__(self) -> str:
        return f"{self.covered_by} covers {self.csm} {self.starts_on}–{self.ends_on}"
