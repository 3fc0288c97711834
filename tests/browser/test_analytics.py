"""A manager, in a real browser: the success funnel with a filter, the bottleneck's accounts one click away,
a CSV download, and the other analytics pages drawing their charts (Chart.js, no inline scripts)."""

from __future__ import annotations

import csv
import os

import pytest

from funnel.services import snapshots_build
from tests.funnel.population import DAY, PAST
from tests.milestones.helpers import assess

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shots(tmp_path) -> str:
    return os.environ.get("WAYPOINT_SCREENSHOT_DIR", str(tmp_path))


def test_a_manager_follows_the_bottleneck_and_downloads_the_table(
    page, log_in, manager, population, tmp_path
):
    assess(DAY.isoformat())  # progress rows: the company list's filters read them
    snapshots_build(first=PAST, last=DAY)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The pages run under the Content-Security-Policy: no inline script or style may be refused.
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    log_in("carol")
    page.wait_for_url("**/funnel/")
    page.select_option("select[name=csm]", "bob")
    page.click("form.filters >> text=Apply")
    page.wait_for_url("**/funnel/?*csm=bob*")
    assert page.locator("#funnel-table tbody tr").count() == 3
    assert page.locator(".row-bottleneck >> text=Milestone 2").is_visible()
    page.wait_for_function("document.querySelector('#funnel-chart').width > 0")
    page.screenshot(path=f"{shots(tmp_path)}/funnel.png", full_page=True)

    with page.expect_download() as download:
        page.click("text=Download CSV")
    path = download.value.path()
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # Bob's book: C and D, both working on M2 for more than its 30 days.
    assert [(r["key"], r["reached"], r["at"], r["stuck"]) for r in rows] == [
        ("m1", "2", "0", "0"),
        ("m2", "0", "2", "2"),
        ("m3", "0", "0", "0"),
    ]

    page.click("#bottleneck-link")
    page.wait_for_url("**/companies/?*milestone=m2*")
    assert f"csm={population.bob.username}" in page.url and "stuck=true" in page.url
    names = page.locator("table.data tbody tr td:first-child").all_inner_texts()
    assert sorted(name.split("\n")[0] for name in names) == ["Company C", "Company D"]
    page.screenshot(path=f"{shots(tmp_path)}/funnel-bottleneck-accounts.png", full_page=True)

    site = page.url.split("/companies/")[0]
    for path, canvas in (
        ("/funnel/trends/", "#conversion-chart"),
        ("/funnel/buyer/", "#buyer-chart"),
        ("/funnel/forecast/", "#forecast-chart"),
    ):
        page.goto(site + path)
        page.wait_for_function(f"document.querySelector('{canvas}').width > 0")
    page.screenshot(path=f"{shots(tmp_path)}/forecast.png", full_page=True)
    page.goto(f"{site}/companies/co-C/")
    page.get_by_role("heading", name="Next milestone forecast").wait_for()
    assert errors == []
