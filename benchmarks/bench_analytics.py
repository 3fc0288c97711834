"""Server time of the analytics pages and GET /api/v1/funnel/ on PostgreSQL, at two workspace sizes.

    python benchmarks/bench_analytics.py [--database-url URL] [--small-url URL]

--database-url: the large workspace (100,000 companies, the assessment benchmark's, assessed); --small-url:
a 10,000-company one, generated with `seed_demo` and assessed the first time. Each workspace gets the
analytics snapshots of the last --days days (`backfill_snapshots`) when it has none. Each view is requested
through Django's test client in this process (no network, no browser): the figure is the median of 20
requests, repeated 3 times; the table shows the median of the 3 medians and their spread. Target: ≤ 150 ms
at 100k, and flat from 10k to 100k."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, database_name, prepare_database

TARGET_MS = 150
REQUESTS, REPEATS = 20, 3


def views(latest, csm: str) -> list[tuple[str, str]]:
    past = (latest - timedelta(days=60)).isoformat()
    return [
        ("funnel, last day", "/funnel/"),
        ("funnel, 60 days ago", f"/funnel/?as_of={past}"),
        ("funnel, segment filter", "/funnel/?segment=SMB"),
        ("funnel, CSM filter", f"/funnel/?csm={csm}"),
        ("funnel, segment+plan", "/funnel/?segment=SMB&plan=Pro"),
        ("buyer funnel", "/funnel/buyer/"),
        ("buyer funnel, segment", "/funnel/buyer/?segment=SMB"),
        ("trends, 180 days", "/funnel/trends/"),
        ("forecasts", "/funnel/forecast/"),
        ("API funnel", "/api/v1/funnel/"),
        ("API funnel, past day + plan", f"/api/v1/funnel/?as_of={past}&plan=Pro"),
        ("CSV milestones", "/funnel/export/milestones.csv"),
    ]


def measure(database_url: str) -> dict:
    """In a child process (one database per Django setup): the timings of every view, in ms."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("WAYPOINT_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.test import Client

    from accounts.models import User
    from accounts.roles import Role
    from companies.models import Company
    from funnel.selectors import last_day

    manager = next(u for u in User.objects.order_by("id") if u.role in (Role.MANAGER, Role.ADMIN))
    csm = Company.objects.filter(csm__isnull=False).values_list("csm__username", flat=True).first()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(manager)
    latest = last_day()
    results = {"companies": Company.objects.count(), "as_of": latest.isoformat(), "views": {}}
    for name, url in views(latest, csm):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:500])
        medians = []
        for _ in range(REPEATS):
            times = []
            for _ in range(REQUESTS):
                started = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            medians.append(statistics.median(times))
        results["views"][name] = sorted(medians)
    return results


def ensure_snapshots(database_url: str, days: int) -> None:
    """Assess the workspace (once) and backfill the analytics snapshots when it has none."""
    import psycopg

    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True, env=env)
    with psycopg.connect(database_url) as db:
        assessed = db.execute("SELECT max(as_of) FROM milestones_funnelsnapshot").fetchone()[0]
    if assessed is None:
        print(f"assessing {database_name(database_url)} (once) …", flush=True)
        subprocess.run([*manage, "run_daily"], cwd=ROOT, check=True, env=env, stdout=subprocess.DEVNULL)
        with psycopg.connect(database_url) as db:
            assessed = db.execute("SELECT max(as_of) FROM milestones_funnelsnapshot").fetchone()[0]
    first = (assessed - timedelta(days=days - 1)).isoformat()
    with psycopg.connect(database_url) as db:
        built = db.execute(
            "SELECT count(DISTINCT as_of) FROM funnel_funnelday WHERE scope = 'all' AND as_of BETWEEN %s AND %s",
            [first, assessed],
        ).fetchone()[0]
    if built < days:
        print(f"backfilling analytics snapshots of {database_name(database_url)} from {first} …", flush=True)
        started = time.perf_counter()
        subprocess.run(
            [*manage, "backfill_snapshots", "--from", first, "--to", assessed.isoformat()],
            cwd=ROOT,
            check=True,
            env=env,
        )
        print(f"  {time.perf_counter() - started:.0f} s", flush=True)
    with psycopg.connect(database_url, autocommit=True) as db:
        db.execute("VACUUM (ANALYZE) funnel_funnelday")
        db.execute("VACUUM (ANALYZE) funnel_stageday")


def postgres_settings(database_url: str) -> str:
    import psycopg

    with psycopg.connect(database_url) as db:
        rows = db.execute(
            "SELECT name, setting, unit FROM pg_settings WHERE name IN "
            "('shared_buffers', 'work_mem', 'effective_cache_size', 'jit', 'max_parallel_workers_per_gather')"
        ).fetchall()
        version = db.execute("SHOW server_version").fetchone()[0]
    return f"PostgreSQL {version}: " + ", ".join(f"{n}={s}{u or ''}" for n, s, u in rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/waypoint_bench")
    parser.add_argument("--small-url", default="postgres://postgres@127.0.0.1:5432/waypoint_bench_10k")
    parser.add_argument("--days", type=int, default=190, help="days of snapshots to backfill")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        print(json.dumps(measure(options.measure)))
        return
    prepare_database(options.small_url, companies=10_000)
    runs = {}
    for url in (options.small_url, options.database_url):
        ensure_snapshots(url, options.days)
        out = subprocess.run(
            [sys.executable, __file__, "--measure", url], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
        runs[url] = json.loads(out.strip().splitlines()[-1])
    small, large = runs[options.small_url], runs[options.database_url]
    print(f"machine: {os.cpu_count()} cores; {postgres_settings(options.database_url)}")
    print(f"median server time, ms (median of {REQUESTS} requests; median and range of {REPEATS} repeats)")
    print(
        f"{'view':<30} {small['companies']:>10,} companies {large['companies']:>10,} companies  ratio  target"
    )
    for name, large_times in large["views"].items():
        small_times = small["views"][name]
        s, g = statistics.median(small_times), statistics.median(large_times)
        verdict = "ok" if g <= TARGET_MS else "MISSED"
        print(
            f"{name:<30} {s:>7.1f} ({small_times[0]:.0f}–{small_times[-1]:.0f})"
            f" {g:>13.1f} ({large_times[0]:.0f}–{large_times[-1]:.0f})  {g / s:>5.2f}  ≤{TARGET_MS} {verdict}"
        )


if __name__ == "__main__":
    main()
