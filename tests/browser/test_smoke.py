"""A real browser walks the main paths: log in, land on the role's home, open a company, read the portal."""

import os
from datetime import date

import pytest

from tests.factories import CompanyFactory, EventFactory, EventTypeFactory
from tests.milestones.helpers import assess

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_csm_opens_a_stuck_account_from_the_queue(page, log_in, csm, methodology, tmp_path):
    from milestones.models import CTARule

    company = CompanyFactory(
        name="Alpha Analytics", external_id="alpha", csm=csm, customer_since=date(2026, 1, 5)
    )
    EventFactory(company=company, type=EventTypeFactory(name="tracking_code_installed"))
    CTARule.objects.filter(milestone=None, trigger="stuck").update(min_days_at_position=30)
    assess("2026-03-01")
    log_in("alice")
    page.wait_for_url("**/queue/")
    assert page.locator("h1").inner_text() == "My queue"
    assert page.locator("table.data >> text=Lead Generation").is_visible()  # stuck at it
    page.click("text=Alpha Analytics")
    page.wait_for_url("**/companies/alpha/")
    assert page.get_by_role("heading", name="Journey", exact=True).is_visible()
    assert page.locator("text=stuck since Feb 5").is_visible()
    assert page.locator("text=tracking_code_installed").is_visible()
    assert page.locator(".dot.current").count() == 1  # Lead Generation, the current milestone
    page.screenshot(
        path=os.environ.get("WAYPOINT_SCREENSHOT_DIR", str(tmp_path)) + "/company.png", full_page=True
    )


def test_a_manager_lands_on_the_funnel_and_reads_the_methodology(page, log_in, manager, methodology):
    log_in("carol")
    page.wait_for_url("**/funnel/")
    assert page.locator("h1").inner_text() == "Success funnel"
    page.click("nav >> text=Methodology")
    page.wait_for_url("**/methodology/")
    assert page.locator("#lead-generation").is_visible()
    assert page.locator("text=Prove the Channel").first.is_visible()


def test_a_wrong_password_stays_on_the_login_page(page, log_in, csm):
    log_in("alice", "wrong")
    assert "/accounts/login/" in page.url
    assert page.locator(".errorlist").is_visible()


def test_logging_out_returns_to_login(page, log_in, csm):
    log_in("alice")
    page.wait_for_url("**/queue/")
    page.click("text=Log out")
    page.wait_for_url("**/accounts/login/")


def test_a_csm_follows_a_stage_change_notification_to_the_explained_score(page, log_in, csm, methodology):
    from datetime import timedelta

    from django.utils import timezone

    from journey.services.scoring import journey_score

    company = CompanyFactory(name="Alpha Analytics", external_id="alpha", csm=csm)
    journey_score(until=timezone.now() - timedelta(days=1))  # the first run: history
    EventFactory(
        company=company,
        type=EventTypeFactory(name="demo_requested"),
        occurred_at=timezone.now() - timedelta(hours=2),
    )
    journey_score(until=timezone.now())  # a live change: notified
    log_in("alice")
    page.wait_for_url("**/queue/")
    assert page.locator(".unread-count").inner_text() == "1"
    page.click("nav >> text=Notifications")
    page.click("text=Alpha Analytics moved from Target to Evaluation (6.00)")
    page.wait_for_url("**/companies/alpha/")
    card = page.locator("#buyer-journey")
    assert card.locator(".stat .value").first.inner_text().startswith("6.00")
    assert card.locator("svg.score-chart path.line").count() == 1
    assert card.locator("text=Proposal or contract viewed (auto-score 9.00)").is_visible()
    assert page.locator(".unread-count").count() == 0  # read by opening it
    page.click("text=Every step")
    page.wait_for_url("**/companies/alpha/journey/")
    assert page.locator("table.data >> text=raised to 6.00").is_visible()
