"""The pages, Django admin and the API docs work under the Content Security Policy: chromium reports no
violation, admin's autocomplete (select2) still searches, and the docs render their operations."""

from __future__ import annotations

import pytest
from django.urls import reverse

from milestones.models import Milestone
from tests.factories import CompanyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _violations(page) -> list[str]:
    seen: list[str] = []
    page.on(
        "console",
        lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return seen


def test_pages_and_admin_run_without_violations(page, log_in, live_server, admin_user, methodology):
    from playbooks.services import share_link_create

    company = CompanyFactory(lifecycle="customer")
    milestone = Milestone.objects.get(key="lead-scoring")
    _, token = share_link_create(user=admin_user, milestone_id=milestone.pk)
    violations = _violations(page)
    log_in("dave")
    page.wait_for_load_state("networkidle")
    for url in (
        reverse("web:funnel"),
        reverse("web:company_list"),
        reverse("web:company_detail", args=[company.external_id]),
        reverse("web:portal"),
        reverse("admin:index"),
        reverse("admin:core_jobrun_changelist"),
        reverse("admin:journey_scoringrule_rebuild"),
        reverse("web:milestone_page", args=["email-marketing"]),
        reverse("web:share_links"),
        reverse("web:milestone_shared", args=[token]),
        reverse("admin:milestones_milestone_changelist"),
        reverse("admin:milestones_reassess"),
    ):
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
    page.goto(live_server.url + reverse("admin:milestones_milestone_change", args=[milestone.pk]))
    page.wait_for_load_state("networkidle")
    page.locator(".select2-container").first.click()
    page.keyboard.type("glossary")
    page.wait_for_selector(".select2-results__option:has-text('The inbound marketing glossary')")
    assert violations == []


def test_the_api_docs_render_under_the_policy(page, log_in, live_server, admin_user):
    violations = _violations(page)
    log_in("dave")
    page.wait_for_load_state("networkidle")
    page.goto(live_server.url + "/api/docs/")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() > 10
    page.goto(live_server.url + "/api/redoc/")
    page.get_by_role("heading", name="List companies").wait_for()
    # ReDoc's "API docs by Redocly" logo points at its CDN: blocked, as everything from elsewhere is.
    assert [text for text in violations if "cdn.redoc.ly" not in text] == []
