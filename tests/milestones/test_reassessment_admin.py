"""After an admin changes a checklist, admin says past results are unchanged until a re-assessment, and
offers one as a queued task whose progress and result are a JobRun (in-process without a broker)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from freezegun import freeze_time

from core.models import JobRun
from milestones.models import Achievement, Criterion, Milestone
from tests.factories import CompanyFactory
from tests.milestones.helpers import add_events, add_metric
from tests.test_admin import _inline_management

pytestmark = pytest.mark.django_db


def edit_checklist(client, milestone, changes: dict):
    url = reverse("admin:milestones_milestone_change", args=[milestone.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(_inline_management(page.context["inline_admin_formsets"]))
    data.update(changes)
    return client.post(url, data, follow=True)


@freeze_time("2026-11-29 09:00:00")
def test_a_checklist_edit_warns_and_the_re_assessment_applies_it_to_the_past(client, admin_user, methodology):
    company = CompanyFactory(customer_since=date(2026, 6, 1))
    for name in (
        "tracking_code_installed",
        "landing_page_published",
        "lead_qualified",
        "lead_qualified",
        "lead_qualified",
    ):
        add_events(company, name, "2026-07-01")
    add_events(company, "lead_created", "2026-07-02", 20)
    add_metric(company, "landing_page_conversion_rate", "2026-07-01", 0.2)
    client.force_login(admin_user)
    milestone = Milestone.objects.get(key="lead-generation")
    criterion = Criterion.objects.get(milestone=milestone, event_name="lead_created")
    index = list(milestone.criteria.order_by("order")).index(criterion)

    response = edit_checklist(client, milestone, {f"criteria-{index}-threshold": "20"})
    assert Criterion.objects.get(pk=criterion.pk).threshold == 20
    warning = [str(message) for message in response.context["messages"]]
    assert any("unchanged until a re-assessment" in text for text in warning), warning
    assert not Achievement.objects.exists()  # nothing changed in the past yet

    changelist = client.get(reverse("admin:milestones_milestone_changelist")).content.decode()
    assert "Re-assess all customers" in changelist
    confirm = client.get(reverse("admin:milestones_reassess"))
    assert confirm.status_code == 200 and "Yes, re-assess all customers" in confirm.content.decode()
    assert not JobRun.objects.exists()  # asking is not doing
    response = client.post(reverse("admin:milestones_reassess"), follow=True)
    assert "Re-assessment queued" in response.content.decode()
    run = JobRun.objects.get(job="milestones")
    assert run.status == JobRun.Status.SUCCEEDED and run.detail["rebuild"] is True
    assert run.as_of == date(2026, 11, 28) and run.chunks_done == run.chunks_total == 1
    assert Achievement.objects.get(company=company, milestone=milestone).achieved_on == date(2026, 7, 2)
    status = client.get(reverse("admin:milestones_milestone_changelist")).content.decode()
    assert "1 customers assessed" in status or "customers assessed" in status


def test_an_edit_that_leaves_the_checklist_alone_says_nothing(client, admin_user, methodology):
    client.force_login(admin_user)
    milestone = Milestone.objects.get(key="lead-generation")
    response = edit_checklist(client, milestone, {"description": "Changed words only."})
    assert not any("re-assessment" in str(message) for message in response.context["messages"])


def test_the_re_assessment_is_for_admins(client, manager, methodology):
    client.force_login(manager)
    assert client.post(reverse("admin:milestones_reassess")).status_code in (302, 403)
    assert not JobRun.objects.exists()
