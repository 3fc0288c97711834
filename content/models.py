"""Content that helps: blog posts, guides, webinars, templates, docs. Milestones (training) and buyer-journey
stages ("content that helps" at each stage) point at resources; scoring reads a resource's content stage to
tag the events that refer to it."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now

CONTENT_STAGES = ("problem", "solution", "evaluation", "decision")


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
        choices=[(stage, stage.title()) for stage in CONTENT_STAGES],
        blank=True,
        help_text="Tags events that refer to this resource (property resource_url), for the velocity bonus.",
    )
    created_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
