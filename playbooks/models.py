"""The task list of each milestone: the steps a customer takes to reach it (its success plan)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

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
