"""Playwright on Debian's chromium (no browser download). Missing chromium skips these tests locally; CI
sets WAYPOINT_REQUIRE_BROWSER=1 so that a missing browser fails instead."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("WAYPOINT_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still
    # plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def log_in(page, live_server):
    def log_in(username: str, password: str = "secret-pass-123") -> None:
        page.goto(live_server.url + "/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")

    return log_in


@pytest.fixture
def screenshot(page, tmp_path):
    """Save a full-page screenshot as a test artifact: into $WAYPOINT_SCREENSHOT_DIR when set (CI keeps
    it), else the test's temporary directory. Returns the file's path."""

    def take(name: str) -> Path:
        folder = Path(os.environ.get("WAYPOINT_SCREENSHOT_DIR") or tmp_path)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
