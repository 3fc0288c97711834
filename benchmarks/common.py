"""What the benchmarks share: the workspace database (created, migrated and seeded once, then reused), the
machine line, medians, vacuums, and the reference pass over the events table they are measured against."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("WAYPOINT_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def server_url(database_url: str) -> str:
    return urlunsplit(urlsplit(database_url)._replace(path="/postgres"))


def database_name(database_url: str) -> str:
    return urlsplit(database_url).path.lstrip("/")


def prepare_database(database_url: str, *, companies: int, fresh: bool = False, template: str = "") -> None:
    """Create (from `template` when given: a file copy, much faster than seeding), migrate and seed the
    benchmark database unless it already holds the workspace."""
    import psycopg

    name = database_name(database_url)
    with psycopg.connect(server_url(database_url), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if fresh and exists:
            admin.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            source = ""
            if (
                template
                and admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone()
            ):
                source = f' TEMPLATE "{template}"'
            admin.execute(f'CREATE DATABASE "{name}"{source}')
    env = {**os.environ, "DATABASE_URL": database_url}
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True, env=env)
    subprocess.run([*manage, "load_methodology"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=env)
    with psycopg.connect(database_url) as db:
        present = db.execute("SELECT count(*) FROM companies_company").fetchone()[0]
    if present < companies:
        print(f"generating {companies:,} companies (once; reused by later runs) …", flush=True)
        started = time.perf_counter()
        subprocess.run(
            [
                *manage,
                "seed_demo",
                "--companies",
                str(companies),
                "--days",
                "365",
                "--seed",
                "42",
                "--replace",
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        print(f"generated in {time.perf_counter() - started:.0f} s")


def machine_line() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        number = cursor.connection.info.server_version  # e.g. 150019
        version = f"{number // 10000}.{number % 10000}"
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"machine: {os.cpu_count()} cores, {memory:.0f} GiB, {platform.machine()}, "
        f"Python {platform.python_version()}, PostgreSQL {version}"
    )


def vacuum(*tables: str) -> None:
    """Benchmark machines may run with autovacuum off: fresh statistics and visibility maps before timing."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def group_by_pass() -> float:
    """The reference: one `GROUP BY company, event name` pass over the whole events table."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT e.company_id, t.name, count(*) FROM companies_event e "
            "JOIN companies_eventtype t ON t.id = e.type_id GROUP BY 1, 2) s"
        )
        cursor.fetchone()
    return time.perf_counter() - started


def median(repeat: int, run) -> float:
    return statistics.median(run() for _ in range(repeat))


def verdict(name: str, value: float, target: float, *, at_least: bool = False) -> str:
    ok = value >= target if at_least else value <= target
    return f"{name:>34}: {value:8.2f}   target {'≥' if at_least else '≤'} {target:g}   {'ok' if ok else 'MISSED'}"
