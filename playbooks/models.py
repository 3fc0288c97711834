"""The task list of each milestone: the steps a customer takes to reach it (its success plan)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from content.models import Resource
from milestones.models import Milestone


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
