"""Writes of the playbooks: the default content, a company's success-plan progress, and share links."""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from companies.models import Company
from content.models import Resource
from core.ordering import apply_values, next_free, place_in_order
from core.secrets import secret_new
from journey.models import Stage
from milestones.models import CTARule, Milestone
from playbooks.defaults import PLAYBOOKS, RESOURCES, TASKS, url_for
from playbooks.models import PlaybookTask, ShareLink, TaskCompletion, TaskTemplate


@transaction.atomic
def content_install(*, reset: bool = False) -> Counter:
    """Install the default resources and task lists. Run after the stages and milestones exist.

    Without `reset`: resources are created when their URL is absent, and a milestone's default task list
    when the milestone has no task at all. With `reset`: default resources get back their fields and links,
    and default tasks (matched by title) their text, resources and order; tasks admins added stay last."""
    report: Counter = Counter()
    stages = {stage.key: stage for stage in Stage.objects.all()}
    milestones = {milestone.key: milestone for milestone in Milestone.objects.all()}
    resources: dict[str, Resource] = {}
    for spec in RESOURCES:
        values = {
            "title": spec["title"],
            "kind": spec["kind"],
            "summary": spec["summary"],
            "content_stage": spec.get("content_stage", ""),
        }
        resource = Resource.objects.filter(url=url_for(spec["ref"])).first()
        created = resource is None
        if resource is None:
            resource = Resource(url=url_for(spec["ref"]), **values)
            resource.full_clean()
            resource.save()
            report["resources created"] += 1
        elif reset and apply_values(resource, values):
            resource.save()
            report["resources restored"] += 1
        if created or reset:
            resource.stages.set([stages[key] for key in spec.get("stages", []) if key in stages])
            resource.milestones.set(
                [milestones[key] for key in spec.get("milestones", []) if key in milestones]
            )
        resources[spec["ref"]] = resource

    for milestone_key, task_specs in TASKS.items():
        milestone = milestones.get(milestone_key)
        if milestone is None:
            continue
        if reset:
            _restore_tasks(milestone, task_specs, resources, report)
        elif not milestone.tasks.exists():
            for order, (title, description, refs) in enumerate(task_specs, start=1):
                task = TaskTemplate.objects.create(
                    milestone=milestone, order=order, title=title, description=description
                )
                task.resources.set([resources[ref] for ref in refs])
                report["tasks created"] += 1
    _install_playbooks(reset=reset, report=report)
    return report


def _install_playbooks(*, reset: bool, report: Counter) -> None:
    """The default rules' playbooks: created for a rule without any task; with `reset`, put back."""
    for rule in CTARule.objects.filter(name__in=PLAYBOOKS):
        if rule.playbook.exists() and not reset:
            continue
        rule.playbook.all().delete()
        PlaybookTask.objects.bulk_create(
            PlaybookTask(rule=rule, order=order, title=title, description=description, due_offset_days=offset)
            for order, (title, description, offset) in enumerate(PLAYBOOKS[rule.name], start=1)
        )
        report["playbook tasks created"] += len(PLAYBOOKS[rule.name])


def _restore_tasks(
    milestone: Milestone, task_specs: list, resources: dict[str, Resource], report: Counter
) -> None:
    existing = {task.title: task for task in milestone.tasks.all()}
    orders: dict[int, int] = {}
    for order, (title, description, refs) in enumerate(task_specs, start=1):
        task = existing.get(title)
        if task is None:
            task = TaskTemplate.objects.create(
                milestone=milestone,
                order=next_free(milestone.tasks.all(), "order", 30000),
                title=title,
                description=description,
            )
            report["tasks created"] += 1
        elif apply_values(task, {"description": description}):
            task.save(update_fields=["description"])
            report["tasks restored"] += 1
        task.resources.set([resources[ref] for ref in refs])
        orders[task.pk] = order
    place_in_order(TaskTemplate.objects.filter(milestone=milestone), "order", orders)


# --- A company's success plan: its tasks checked off (who, when) ------------------------------------------------


def task_completion_set(*, user, company_id: int, task_id: int, done: bool) -> TaskCompletion | None:
    """Check a task of the success plan off for a company (done) or uncheck it. CSMs act on their own
    companies only, managers and admins on all: anything else is Http404, so a forged request learns
    nothing. Idempotent, and safe when two people tick the same task at once (the unique constraint keeps
    the first completion and its author)."""
    company = get_object_or_404(Company.objects.visible_to(user), pk=company_id)
    task = get_object_or_404(TaskTemplate, pk=task_id)
    with transaction.atomic():
        if not done:
            TaskCompletion.objects.filter(company=company, task=task).delete()
            return None
        TaskCompletion.objects.bulk_create(
            [TaskCompletion(company=company, task=task, done_by=user, done_at=timezone.now())],
            ignore_conflicts=True,
        )
        return TaskCompletion.objects.select_related("done_by").get(company=company, task=task)


# --- Share links: a milestone's page for a customer, without a login -------------------------------------------

SHARE_LINK_KIND = "ms"


def share_link_create(*, user, milestone_id: int, note: str = "") -> tuple[ShareLink, str]:
    """A new link to the milestone's page, and its token (shown once: only its digest is stored)."""
    if user.role is None:
        raise PermissionDenied
    milestone = get_object_or_404(Milestone, pk=milestone_id)
    token, prefix, digest = secret_new(SHARE_LINK_KIND)
    link = ShareLink.objects.create(
        milestone=milestone, token_digest=digest, token_prefix=prefix, note=note[:200], created_by=user
    )
    return link, token


def share_link_revoke(*, user, link_id: int) -> ShareLink:
    """Close a link for good. Its creator may, and managers and admins; others get Http404."""
    links = ShareLink.objects.all()
    if not user.sees_everyone:
        links = links.filter(created_by=user)
    with transaction.atomic():
        link = get_object_or_404(links.select_for_update(), pk=link_id)
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])
    return link
