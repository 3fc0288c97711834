"""A real browser works the CTA queue: snooze with a reason, close with an outcome, check off a task (each
in place, with HTMX), bulk-close, and a manager reassigns. Screenshots go to $WAYPOINT_SCREENSHOT_DIR when
it is set."""

import os
from datetime import timedelta

import pytest

from core.days import today
from ctas.models import CTA
from ctas.services.generate import ctas_generate
from tests.ctas.helpers import customer
from tests.milestones.helpers import assess

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue(csm, other_csm, stuck_rule):
    """Three of Alice's customers stuck at the second milestone for 40–42 days, as of yesterday."""
    yesterday = today() - timedelta(days=1)
    for offset, name in enumerate(("Alpha Analytics", "Beta Bakery", "Gamma Games")):
        customer(csm, name=name, first_on=(yesterday - timedelta(days=40 + offset)).isoformat())
    assess(yesterday.isoformat())
    ctas_generate(as_of=yesterday)


def shot(page, tmp_path, name: str) -> None:
    page.screenshot(
        path=os.path.join(os.environ.get("WAYPOINT_SCREENSHOT_DIR", str(tmp_path)), name), full_page=True
    )


def row(page, company: str):
    return page.locator("table.queue tbody tr", has_text=company)


def test_a_csm_snoozes_closes_and_checks_off_in_place(page, log_in, queue, tmp_path):
    log_in("alice")
    page.wait_for_url("**/queue/")
    assert page.locator("table.queue tbody tr").count() == 3
    shot(page, tmp_path, "queue.png")

    alpha = row(page, "Alpha Analytics")
    alpha.locator("summary", has_text="Snooze").click()
    alpha.locator("input[name=until]").fill((today() + timedelta(days=14)).isoformat())
    alpha.locator("input[name=reason]").fill("Sponsor on parental leave")
    alpha.locator("button", has_text="Snooze").click()
    row(page, "Alpha Analytics").locator(".badge", has_text="Snoozed until").wait_for()
    assert page.url.endswith("/queue/")  # in place: no navigation

    beta = row(page, "Beta Bakery")
    beta.locator("summary", has_text="Tasks").click()
    beta.locator("button[aria-label='Check off Review the account']").click()
    row(page, "Beta Bakery").locator("text=1/2").wait_for()

    beta = row(page, "Beta Bakery")
    beta.locator("summary", has_text="Close").click()
    beta.locator("select[name=outcome]").select_option("not_needed")
    beta.locator("textarea[name=note]").fill("Moved to the next milestone by phone")
    beta.locator("button", has_text="Close").last.click()
    row(page, "Beta Bakery").locator(".badge", has_text="Closed: not needed").wait_for()
    shot(page, tmp_path, "queue-actions.png")

    snoozed = CTA.objects.get(company__name="Alpha Analytics")
    assert (snoozed.status, snoozed.reason) == ("snoozed", "Sponsor on parental leave")
    closed = CTA.objects.get(company__name="Beta Bakery")
    assert (closed.status, closed.outcome, closed.tasks.filter(done_at__isnull=False).count()) == (
        "closed",
        "not_needed",
        1,
    )


def test_a_csm_bulk_closes(page, log_in, queue, tmp_path):
    log_in("alice")
    page.wait_for_url("**/queue/")
    for company in ("Alpha Analytics", "Gamma Games"):
        row(page, company).locator("input[type=checkbox]").check()
    bulk = page.locator("form#bulk")
    bulk.locator("select[name=action]").select_option("close")
    bulk.locator("select[name=outcome]").select_option("done")
    bulk.locator("button", has_text="Apply").click()
    page.locator(".messages >> text=2 CTAs closed.").wait_for()
    assert page.locator("table.queue tbody tr").count() == 1
    shot(page, tmp_path, "queue-bulk-closed.png")
    assert CTA.objects.filter(status="closed", outcome="done").count() == 2


def test_a_manager_reassigns(page, log_in, manager, queue, tmp_path):
    cta = CTA.objects.get(company__name="Gamma Games")
    log_in("carol")
    page.wait_for_url("**/funnel/")
    page.click("nav >> text=CTA queues")
    page.wait_for_url("**/queue/")
    page.click("text=Gamma Games >> xpath=ancestor::tr >> a >> nth=0")
    page.wait_for_url(f"**/ctas/{cta.pk}/")
    page.locator("select[name=owner]").select_option(label="Bob Silva")
    page.click("button:has-text('Reassign')")
    page.locator(".messages >> text=Assigned to Bob Silva.").wait_for()
    shot(page, tmp_path, "cta-reassigned.png")
    cta.refresh_from_db()
    assert cta.owner.username == "bob"
    assert page.locator("text=owner: alice → bob").is_visible()
