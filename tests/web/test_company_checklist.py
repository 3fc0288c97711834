"""The company page (DESIGN §6): the current milestone's checklist with why not yet (exact dates), the
success plan checked off per company (who, when; only by who may), recommended content, stage changes, one
"as of" for the whole page, and a bounded number of queries."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
from django.db import connection
from django.urls import reverse
from freezegun import freeze_time

from milestones import rules
from milestones.models import Criterion, Milestone
from playbooks.models import TaskCompletion
from tests.factories import AchievementFactory, CompanyFactory
from tests.milestones.helpers import add_events, add_metric

pytestmark = pytest.mark.django_db

NOW = "2026-11-29 15:00:00"  # the workspace's time zone is UTC in tests


def test_a_window_count_needs_its_events_before_the_oldest_one_leaves_the_window():
    check = rules.Check(id=1, kind="event_count", comparator="gte", threshold=4, window_days=60)
    day = date(2026, 11, 29).toordinal()
    # One post on 14 Oct: its window of 60 days ends on 12 Dec, so the 3 others must come by then.
    assert rules.events_still_needed(check, 1, date(2026, 10, 14).toordinal(), day) == (
        3,
        date(2026, 12, 12).toordinal(),
    )
    # The oldest counted post leaves tomorrow: by today.
    assert rules.events_still_needed(check, 3, date(2026, 10, 1).toordinal(), day) == (1, day)
    assert rules.events_still_needed(check, 0, None, day) == (4, None)  # any 60 days will do
    assert rules.events_still_needed(check, 4, date(2026, 10, 14).toordinal(), day) == (0, None)
    all_time = rules.Check(id=2, kind="event_count", comparator="gte", threshold=50)
    assert rules.events_still_needed(all_time, 3, None, day) == (47, None)
    at_most = rules.Check(id=3, kind="event_count", comparator="lte", threshold=2)
    assert rules.events_still_needed(at_most, 5, None, day) == (0, None)


@pytest.fixture
def at_content(methodology, csm):
    """A customer of Alice past the first two milestones, working on Content & Traffic."""
    company = CompanyFactory(
        name="Alpha Analytics", external_id="alpha", csm=csm, customer_since=date(2026, 1, 5)
    )
    AchievementFactory(
        company=company, milestone=Milestone.objects.get(key="lead-generation"), achieved_on=date(2026, 3, 2)
    )
    AchievementFactory(
        company=company, milestone=Milestone.objects.get(key="email-marketing"), achieved_on=date(2026, 9, 20)
    )
    add_events(company, "blog_post_published", "2026-10-14")
    add_events(company, "blog_post_published", "2026-11-20")
    add_events(company, "blog_post_published", "2026-09-01")  # out of the 60 days
    add_metric(company, "monthly_visits", "2026-11-01", 12480.0)
    add_metric(company, "email_open_rate", "2026-11-01", 0.1834)
    return company


@freeze_time(NOW)
def test_the_checklist_says_what_is_missing_and_by_when(client, csm, at_content):
    client.force_login(csm)
    response = client.get(reverse("web:company_detail", args=["alpha"]))
    page = response.content.decode()
    assert "Checklist: Content &amp; Traffic" in page
    assert "Blog posts published in 60 days: 4 or more" in page
    assert "2 more <code>blog_post_published</code> by 12 Dec" in page
    # 12,480 visits meet 1,000: shown in full, in the checklist and the Metrics card.
    assert "Monthly visits: 1,000 or more" in page
    assert page.count("12,480") == 2
    assert "18.34%" in page  # the Metrics card shows rates in full, as percentages
    checklist = response.context["checklist"]
    assert [
        (value.criterion.event_name or value.criterion.metric, value.value, value.met)
        for value, _ in checklist
    ] == [
        ("blog_post_published", 2, False),
        ("monthly_visits", 12480.0, True),
    ]
    # One "as of" for the page, stated once.
    assert page.count("as of") == 1 and "as of Nov 29, 2026 15:00" in page


@freeze_time(NOW)
def test_the_checklist_follows_an_edit_of_its_threshold(client, csm, at_content):
    Criterion.objects.filter(milestone__key="content-traffic", kind="event_count").update(threshold=2)
    Criterion.objects.filter(milestone__key="content-traffic", kind="metric").update(threshold=15000)
    client.force_login(csm)
    page = client.get(reverse("web:company_detail", args=["alpha"])).content.decode()
    assert "Blog posts published in 60 days: 2 or more" in page
    assert "Monthly visits: 15,000 or more" in page and "Below the threshold" in page
    assert "more <code>blog_post_published</code>" not in page


@freeze_time(NOW)
def test_a_ratio_short_of_its_denominator_says_so(client, csm, methodology):
    company = CompanyFactory(external_id="ratio", csm=csm)
    for key, day in (
        ("lead-generation", 3),
        ("email-marketing", 4),
        ("content-traffic", 5),
        ("lead-nurturing", 6),
        ("crm-integration", 7),
    ):
        AchievementFactory(
            company=company, milestone=Milestone.objects.get(key=key), achieved_on=date(2026, 3, day)
        )
    add_events(company, "lead_created", "2026-11-10", 60)
    add_events(company, "lead_qualified", "2026-11-10", 5)
    client.force_login(csm)
    page = client.get(reverse("web:company_detail", args=["ratio"])).content.decode()
    assert (
        "Qualified leads out of leads created in 90 days: 15% or more (with 100 or more leads created)"
        in page
    )
    assert "40 more <code>lead_created</code> first" in page
    assert "5 of 60" in page


@freeze_time(NOW)
class TestSuccessPlan:
    def tasks(self):
        return list(Milestone.objects.get(key="content-traffic").tasks.order_by("order"))

    def test_a_csm_checks_a_task_off_and_the_page_says_who_and_when(self, client, csm, at_content):
        task = self.tasks()[0]
        client.force_login(csm)
        url = reverse("web:company_plan_task", args=["alpha", task.pk])
        response = client.post(url, {"done": "1"})
        assert response.status_code == 302 and response["Location"].endswith("/companies/alpha/#success-plan")
        completion = TaskCompletion.objects.get(company=at_content, task=task)
        assert completion.done_by == csm and completion.done_at == datetime.fromisoformat(NOW + "+00:00")
        page = client.get(reverse("web:company_detail", args=["alpha"])).content.decode()
        assert "Done by Alice Costa on Nov 29, 2026" in page and f"1 of {len(self.tasks())} done" in page
        client.post(url, {"done": "1"})  # twice is once
        assert TaskCompletion.objects.filter(company=at_content).count() == 1
        client.post(url, {"done": "0"})
        assert not TaskCompletion.objects.filter(company=at_content).exists()

    def test_another_csm_cannot_touch_it_and_a_forged_request_is_a_404(
        self, client, other_csm, manager, at_content
    ):
        task = self.tasks()[0]
        url = reverse("web:company_plan_task", args=["alpha", task.pk])
        client.force_login(other_csm)
        assert client.post(url, {"done": "1"}).status_code == 404
        assert not TaskCompletion.objects.exists()
        client.force_login(manager)
        assert client.post(url, {"done": "1"}).status_code == 302
        assert TaskCompletion.objects.get().done_by == manager
        assert (
            client.post(reverse("web:company_plan_task", args=["alpha", 999999]), {"done": "1"}).status_code
            == 404
        )
        assert client.get(url).status_code == 405

    def test_the_form_needs_its_csrf_token(self, csm, at_content):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(csm)
        response = client.post(
            reverse("web:company_plan_task", args=["alpha", self.tasks()[0].pk]), {"done": "1"}
        )
        assert response.status_code == 403 and not TaskCompletion.objects.exists()


@freeze_time(NOW)
def test_recommended_content_and_stage_changes_are_on_the_page(client, csm, at_content):
    add_events(at_content, "pricing_page_viewed", "2026-11-25")
    add_events(at_content, "demo_requested", "2026-11-26")
    client.force_login(csm)
    response = client.get(reverse("web:company_detail", args=["alpha"]))
    page = response.content.decode()
    standing = response.context["standing"]
    milestone_titles = [
        item.resource.title for item in standing.recommended_resources if item.reason == "milestone"
    ]
    assert milestone_titles and all(title in page for title in milestone_titles)
    assert "For Content &amp; Traffic" in page
    assert response.context["stage_changes"], "the events above move the buyer stage"
    assert "Stage changes" in page and "<code>demo_requested</code>" in page


@freeze_time(NOW)
def test_the_company_page_is_a_bounded_number_of_queries(
    client, csm, at_content, django_assert_max_num_queries
):
    client.force_login(csm)
    client.get(reverse("web:company_detail", args=["alpha"]))  # warm the per-process caches
    with django_assert_max_num_queries(39):
        assert client.get(reverse("web:company_detail", args=["alpha"])).status_code == 200
    for task in Milestone.objects.get(key="content-traffic").tasks.all():
        TaskCompletion.objects.create(company=at_content, task=task, done_by=csm)
    with django_assert_max_num_queries(39):
        client.get(reverse("web:company_detail", args=["alpha"]))


@pytest.mark.django_db(transaction=True)
def test_two_people_ticking_the_same_task_at_once_record_one_completion(csm, manager, methodology):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL")
    from playbooks.services import task_completion_set

    company = CompanyFactory(csm=csm)
    task = Milestone.objects.get(key="lead-generation").tasks.first()
    barrier, errors = threading.Barrier(2), []

    def tick(user):
        try:
            barrier.wait()
            task_completion_set(user=user, company_id=company.pk, task_id=task.pk, done=True)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick, args=(user,)) for user in (csm, manager)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert TaskCompletion.objects.filter(company=company, task=task).count() == 1


@freeze_time(NOW)
def test_prospects_churned_and_finished_companies_say_why_there_is_no_checklist(client, csm, methodology):
    CompanyFactory(external_id="prospect", csm=csm, lifecycle="prospect", customer_since=None)
    CompanyFactory(external_id="churned", csm=csm, lifecycle="churned", churned_on=date(2026, 6, 1))
    done = CompanyFactory(external_id="done", csm=csm)
    for index, milestone in enumerate(Milestone.objects.in_sequence(), start=1):
        AchievementFactory(company=done, milestone=milestone, achieved_on=date(2026, 2, index))
    client.force_login(csm)
    prospect = client.get(reverse("web:company_detail", args=["prospect"])).content.decode()
    assert "The checklist applies once the company is a customer." in prospect
    assert "The plan starts when the company becomes a customer." in prospect
    page = client.get(reverse("web:company_detail", args=["churned"]))
    assert page.status_code == 200 and "Was working on" in page.content.decode()
    assert page.context["standing"].current_milestone.key == "lead-generation"
    finished = client.get(reverse("web:company_detail", args=["done"])).content.decode()
    assert "Every milestone achieved." in finished and "All milestones done" in finished


@freeze_time(NOW)
def test_health_is_explained_as_of_the_page(client, csm, at_content):
    client.force_login(csm)
    page = client.get(reverse("web:company_detail", args=["alpha"])).content.decode()
    # One blog post on 20 Nov in the 30 days ending 29 Nov, and one key action (blog_post_published) of 5.
    assert "1 active day of 30 · 1 of 5 key actions" in page
