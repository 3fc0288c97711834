"""What helps a customer move on: the task list of each milestone, and content tied to milestones and
buyer-journey stages (the methodology portal and "content that helps")."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from journey.models import Stage
from milestones.models import Milestone


class Resource(models.Model):
    """A piece of content: blog post, guide, webinar, template, doc…"""

    class Kind(models.TextChoices):
        BLOG_POST = "blog_post", "Blog post"
        GUIDE = "guide", "Guide"
        WEBINAR = "webinar", "Webinar"
        TEMPLATE = "template", "Template"
        DOC = "doc", "Documentation"
        VIDEO = "video", "Video"
        CASE_STUDY = "case_study", "Case study"
        TOOL = "tool", "Tool or calculator"

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    url = models.URLField(max_length=500, unique=True)
    summary = models.TextField(blank=True)
    content_stage = models.CharField(
        max_length=12,
        choices=[(stage, stage.title()) for stage in ("problem", "solution", "evaluation", "decision")],
        blank=True,
        help_text="Tags events that refer to this resource (property resource_url), for the velocity bonus.",
    )
    milestones = models.ManyToManyField(Milestone, blank=True, related_name="resources")
    stages = models.ManyToManyField(Stage, blank=True, related_name="resources")
    created_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


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
