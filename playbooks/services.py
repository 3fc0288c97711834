from __future__ import annotations

from collections import Counter

from django.db import transaction

from content.models import Resource
from core.ordering import apply_values, next_free, place_in_order
from journey.models import Stage
from milestones.models import CTARule, Milestone
from playbooks.defaults import PLAYBOOKS, RESOURCES, TASKS, url_for
from playbooks.models import PlaybookTask, TaskTemplate


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
