"""Reads of the playbooks: the methodology portal, a company's success plan, and share links."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from companies.models import Company
from content.models import Resource
from core.secrets import secret_digest
from journey.models import Stage
from milestones.models import Criterion, Milestone, Phase
from playbooks.models import ShareLink, TaskCompletion, TaskTemplate


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


@dataclass(frozen=True)
class PlanTask:
    task: TaskTemplate
    completion: TaskCompletion | None  # who checked it off for the company, and when

    @property
    def done(self) -> bool:
        return self.completion is not None


def success_plan(*, company: Company, milestone: Milestone | None) -> list[PlanTask]:
    """The company's success plan (DESIGN §4.5): its current milestone's task list, each task with the
    company's completion. Three queries: tasks, their resources, the completions."""
    if milestone is None:
        return []
    tasks = list(
        TaskTemplate.objects.filter(milestone=milestone)
        .order_by("order")
        .prefetch_related(Prefetch("resources", queryset=Resource.objects.order_by("title")))
    )
    done = {
        completion.task_id: completion
        for completion in TaskCompletion.objects.filter(company=company, task__in=tasks).select_related(
            "done_by"
        )
    }
    return [PlanTask(task, done.get(task.pk)) for task in tasks]


def milestone_shared(*, token: str) -> Milestone | None:
    """The milestone an active share link opens, with its phase, checklist, tasks and resources; None for
    an unknown or revoked token (one indexed lookup by digest)."""
    if not token or len(token) > 100:
        return None
    link = (
        ShareLink.objects.filter(token_digest=secret_digest(token), revoked_at__isnull=True)
        .select_related("milestone__phase")
        .first()
    )
    return milestone_detail(link.milestone.pk) if link else None


def milestone_detail(milestone_id: int) -> Milestone | None:
    """One milestone with its checklist, tasks (with resources) and resources: the portal's milestone page."""
    by_title = Resource.objects.order_by("title")
    tasks = TaskTemplate.objects.order_by("order").prefetch_related(Prefetch("resources", queryset=by_title))
    return (
        Milestone.objects.select_related("phase")
        .prefetch_related(
            Prefetch("criteria", queryset=Criterion.objects.order_by("order", "pk")),
            Prefetch("tasks", queryset=tasks),
            Prefetch("resources", queryset=by_title),
        )
        .filter(pk=milestone_id)
        .first()
    )


def share_links(*, user) -> QuerySet[ShareLink]:
    """The share links the user may see and revoke: their own; managers and admins see every one."""
    links = ShareLink.objects.select_related("milestone", "created_by").order_by("-created_at", "-id")
    if user.sees_everyone:
        return links
    return links.filter(created_by=user)
