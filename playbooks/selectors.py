from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from content.models import Resource
from journey.models import Stage
from milestones.models import Criterion, Milestone, Phase
from playbooks.models import TaskTemplate


def methodology_tree() -> QuerySet[Phase]:
    """Phases → milestones → checklist, tasks (with resources) and resources, in six queries."""
    by_title = Resource.objects.order_by("title")
    tasks = TaskTemplate.objects.order_by("order").prefetch_related(Prefetch("resources", queryset=by_title))
    milestones = Milestone.objects.order_by("order").prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("order", "pk")),
        Prefetch("tasks", queryset=tasks),
        Prefetch("resources", queryset=by_title),
    )
    return Phase.objects.order_by("order").prefetch_related(Prefetch("milestones", queryset=milestones))


def content_by_stage() -> QuerySet[Stage]:
    """Buyer-journey stages with the content that helps a company in each."""
    return Stage.objects.order_by("order").prefetch_related(
        Prefetch("resources", queryset=Resource.objects.order_by("title"))
    )
