"""A real browser: a customer opens a shared milestone page signed out, and a CSM checks off a task of a
company's success plan (no JavaScript needed: a form per task), at the 1,440 px the pages are made for."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.days import today
from milestones.models import Milestone
from playbooks.models import TaskCompletion
from playbooks.services import share_link_create
from tests.factories import AchievementFactory, CompanyFactory
from tests.milestones.helpers import add_events, add_metric

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_opens_a_shared_milestone_page_signed_out(page, live_server, csm, methodology, screenshot):
    CompanyFactory(name="Secret Customer Inc", csm=csm)
    _, token = share_link_create(user=csm, milestone_id=Milestone.objects.get(key="email-marketing").pk)
    page.set_viewport_size({"width": 1440, "height": 900})
    response = page.goto(f"{live_server.url}/shared/milestones/{token}/")
    assert response.status == 200 and response.headers["x-robots-tag"] == "noindex, nofollow"
    assert page.get_by_role("heading", name="Email Marketing").is_visible()
    assert page.locator("text=Email open rate: 20% or more").is_visible()
    assert page.locator("text=Email campaigns sent: 2 or more").is_visible()
    assert page.locator("nav").count() == 0 and page.locator("text=Log out").count() == 0
    assert "Secret Customer Inc" not in page.content()
    screenshot("shared-milestone")
    page.goto(f"{live_server.url}/shared/milestones/{token[:-2]}xx/")
    assert page.locator("text=Log in").count() == 0  # an unknown link is a plain 404, no login form


def test_a_csm_checks_off_a_success_plan_task(page, log_in, csm, methodology, screenshot):
    day = today()
    company = CompanyFactory(
        name="Alpha Analytics", external_id="alpha", csm=csm, customer_since=day - timedelta(days=300)
    )
    AchievementFactory(
        company=company,
        milestone=Milestone.objects.get(key="lead-generation"),
        achieved_on=day - timedelta(days=200),
    )
    AchievementFactory(
        company=company,
        milestone=Milestone.objects.get(key="email-marketing"),
        achieved_on=day - timedelta(days=70),
    )
    add_events(company, "blog_post_published", (day - timedelta(days=10)).isoformat())
    add_metric(company, "monthly_visits", (day - timedelta(days=5)).isoformat(), 1234567.0)
    add_metric(company, "landing_page_conversion_rate", (day - timedelta(days=5)).isoformat(), 0.1834)
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in("alice")
    page.wait_for_url("**/queue/")
    page.goto(page.url.replace("/queue/", "/companies/alpha/"))
    assert page.get_by_role("heading", name="Checklist: Content & Traffic").is_visible()
    assert page.locator("text=3 more blog_post_published by").is_visible()
    first = Milestone.objects.get(key="content-traffic").tasks.order_by("order").first()
    plan = page.locator("#success-plan")
    plan.get_by_role("button", name=f"Mark “{first.title}” as done").click()
    page.wait_for_url("**/companies/alpha/#success-plan")
    assert plan.locator("text=Done by Alice Costa").is_visible()
    assert TaskCompletion.objects.get(company=company, task=first).done_by == csm
    # The Metrics card shows its values in full at 1,440 px: nothing cut off or scrolled away.
    metrics = page.locator("section.card", has=page.get_by_role("heading", name="Metrics"))
    for text in ("1,234,567", "18.34%", "landing_page_conversion_rate"):
        assert metrics.locator(f"text={text}").is_visible()
    inside = metrics.evaluate(
        """card => [...card.querySelectorAll('td, th')].every(cell => {
            const box = cell.getBoundingClientRect(), edge = card.getBoundingClientRect();
            return box.left >= edge.left && box.right <= edge.right && cell.scrollWidth <= cell.clientWidth;
        }) && [...card.querySelectorAll('.table-wrap')].every(wrap => wrap.scrollWidth <= wrap.clientWidth)"""
    )
    assert inside, "a Metrics cell is cut off"
    screenshot("company-plan")
    plan.get_by_role("button", name=f"Mark “{first.title}” as not done").click()
    page.wait_for_url("**/companies/alpha/#success-plan")
    assert not TaskCompletion.objects.filter(company=company).exists()
