"""The task list of each milestone: the steps a customer takes to reach it (its success plan), each
company's completion of it, and the links that share a milestone's page with a customer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from companies.models import Company
from content.models import Resource
from milestones.models import CTARule, Milestone


class TaskTemplate(models.Model):
    """One step of a milestone's task list: no value by itself, but needed to reach the milestone."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    resources = models.ManyToManyField(Resource, blank=True, related_name="tasks")

    class Meta:
        ordering = ["milestone", "order"]
        verbose_name = "task"
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "order"],
                name="task_order_unique_in_milestone",
                violation_error_message="Another task of this milestone has this order.",
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="task_order_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class PlaybookTask(models.Model):
    """One step of a CTA rule's playbook: every CTA the rule opens gets these tasks, each due
    `due_offset_days` after the CTA opens."""

    rule = models.ForeignKey(CTARule, on_delete=models.CASCADE, related_name="playbook")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    due_offset_days = models.PositiveSmallIntegerField(default=0, help_text="Days after the CTA opens.")

    class Meta:
        ordering = ["rule", "order"]
        verbose_name = "playbook task"
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "order"],
                name="playbook_task_order_unique_in_rule",
                violation_error_message="Another task of this playbook has this order.",
            ),
            models.CheckConstraint(condition=Q(order__gte=1), name="playbook_task_order_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class TaskCompletion(models.Model):
    """A task of a milestone's task list done by one company: its success plan's progress (who, when)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="task_completions")
    task = models.ForeignKey(TaskTemplate, on_delete=models.CASCADE, related_name="completions")
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            # Done once per company: two people ticking it at once record one completion.
            models.UniqueConstraint(fields=["company", "task"], name="taskcompletion_once_per_company"),
        ]

    def __str__(self) -> str:
        return f"{self.task} ({self.company})"


class ShareLink(models.Model):
    """A link to a milestone's page that a CSM gives a customer: it opens without a login and shows only
    the methodology. Only the SHA-256 of its token is stored (core/secrets.py); revoking it closes the page."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="share_links")
    token_digest = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(
        max_length=16, help_text="The token's first characters, to tell links apart."
    )
    note = models.CharField(max_length=200, blank=True, help_text="Who it was given to, for your records.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(db_default=Now())
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.milestone} ({self.token_prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
