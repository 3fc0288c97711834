"""The milestone edit page in admin (its checklist, CTA rules, resources and task list): its queries do not
grow with its tasks, their resources or the milestone's resources, and each row shows its selections."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content.models import Resource
from milestones.models import Milestone
from playbooks.models import TaskTemplate

pytestmark = pytest.mark.django_db

# Session, user, permissions, milestone, the resources once per field (tasks', milestone's), each inline's
# rows, the tasks' selections (one prefetch), phases.
PAGE_QUERIES = 14


def _grow(milestone: Milestone, tasks: int) -> list[TaskTemplate]:
    start = milestone.tasks.count()
    resources = [
        Resource.objects.create(
            title=f"Guide {start + n}", kind="guide", url=f"https://docs.example/{start + n}"
        )
        for n in range(tasks)
    ]
    created = []
    for n, resource in enumerate(resources):
        task = TaskTemplate.objects.create(
            milestone=milestone, order=100 + start + n, title=f"Step {start + n}"
        )
        task.resources.add(resource, *resources[:2])
        milestone.resources.add(resource)
        created.append(task)
    return created


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_milestone_page_s_queries_do_not_grow_with_its_rows(client, admin_user, methodology):
    milestone = Milestone.objects.get(key="lead-scoring")
    url = reverse("admin:milestones_milestone_change", args=[milestone.pk])
    client.force_login(admin_user)
    client.get(url)  # warm caches (content types, permissions)
    small, _ = _queries(client, url)
    tasks = _grow(milestone, 12)
    large, page = _queries(client, url)
    assert (small, large) == (PAGE_QUERIES, PAGE_QUERIES)
    # Each task's autocomplete shows its own resources, selected.
    task = tasks[5]
    assert task.resources.count() == 3
    for resource in task.resources.all():
        assert f'<option value="{resource.pk}" selected>{resource}</option>' in page
    assert page.count("<option") < 3 * milestone.tasks.count() + 2 * milestone.resources.count() + 80


def test_the_page_still_saves_a_task_s_resources(client, admin_user, methodology):
    """The shared lists only render: saving validates against the database as before."""
    milestone = Milestone.objects.get(key="lead-scoring")
    task = _grow(milestone, 2)[1]
    url = reverse("admin:milestones_milestone_change", args=[milestone.pk])
    client.force_login(admin_user)
    page = client.get(url)
    from tests.test_admin import _inline_management

    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(_inline_management(page.context["inline_admin_formsets"]))
    index = next(
        i for i, f in enumerate(page.context["inline_admin_formsets"][-1].formset.forms) if f.instance == task
    )
    new = Resource.objects.create(title="Fresh", kind="guide", url="https://docs.example/fresh")
    data[f"tasks-{index}-resources"] = [str(new.pk)]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert list(task.resources.all()) == [new]
    data[f"tasks-{index}-resources"] = ["999999"]
    refused = client.post(url, data)
    assert refused.status_code == 200
