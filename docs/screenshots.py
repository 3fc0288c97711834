"""Take the README's screenshots from a demo workspace, in Debian's chromium through Playwright.

    .venv/bin/python docs/screenshots.py            # every shot, into docs/
    .venv/bin/python docs/screenshots.py queue      # only some

It builds a scratch SQLite workspace like `make demo` (smaller), starts the development server on a free
port, signs in as the shot's user and saves the page at 1,440 x 900."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "waypoint-demo"
# name: (user, path, what the page must show before the shot)
SHOTS = {
    "queue": ("csm1", "/queue/", "main"),
    "funnel": ("manager", "/funnel/", "main"),
    "methodology": ("csm1", "/methodology/", "main"),
    "company": ("manager", "/companies/?lifecycle=customer&ordering=-score", "main"),
}


def manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(names: list[str]) -> None:
    unknown = set(names) - SHOTS.keys()
    if unknown:
        sys.exit(f"unknown shots: {', '.join(sorted(unknown))} (known: {', '.join(SHOTS)})")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{scratch}/demo.sqlite3",
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        }
        env.pop("CELERY_BROKER_URL", None)
        manage(env, "migrate", "--noinput")
        manage(env, "load_methodology")
        manage(env, "seed_demo", "--companies", "300", "--days", "365", "--seed", "42", "--live-days", "3")
        manage(env, "run_daily")
        manage(env, "backfill_snapshots", "--days", "120")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--no-sandbox"]
                )
                for name in names or SHOTS:
                    shoot(browser, base, name)
                browser.close()
        finally:
            server.terminate()
            server.wait()


def shoot(browser, base: str, name: str) -> None:
    user, path, ready = SHOTS[name]
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(base + path)
    if name == "company":  # the best-scored company's page, whichever it is in this demo
        page.locator("table tbody tr a").first.click()
    page.wait_for_selector(ready)
    page.wait_for_load_state("networkidle")
    target = ROOT / "docs" / f"{name}.png"
    page.screenshot(path=str(target))
    print(f"{target.relative_to(ROOT)}: {user} {path}")
    context.close()


if __name__ == "__main__":
    main(sys.argv[1:])
