"""Time `seed_demo` on a scratch PostgreSQL database and print the figures with the row counts.

    python benchmarks/bench_seed.py --companies 1000 100000

Each size gets a fresh database (created, migrated, seeded, measured, dropped), so runs do not depend on
each other. The time is the wall clock of the whole `seed_demo` command, as a user would see it."""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = "waypoint_bench_seed"


def run(args: list[str], database_url: str) -> None:
    """Run a manage.py command quietly; on failure, show what it printed and stop."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--companies", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432/postgres")
    options = parser.parse_args()
    parts = urlsplit(options.server)
    scratch_url = urlunsplit(parts._replace(path=f"/{SCRATCH}"))
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}")
    print(
        f"{'companies':>10} {'seconds':>9} {'events':>12} {'events/s':>10} {'contacts':>9} {'metric values':>14}"
    )
    for companies in options.companies:
        with psycopg.connect(options.server, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH}")
            admin.execute(f"CREATE DATABASE {SCRATCH}")
        try:
            run(["migrate", "--noinput", "-v", "0"], scratch_url)
            started = time.perf_counter()
            run(
                ["seed_demo", "--companies", str(companies), "--days", str(options.days), "--seed", "42"],
                scratch_url,
            )
            seconds = time.perf_counter() - started
            with psycopg.connect(scratch_url) as db:
                events, contacts, metrics = db.execute(
                    "SELECT (SELECT count(*) FROM companies_event), (SELECT count(*) FROM companies_contact), "
                    "(SELECT count(*) FROM companies_metricvalue)"
                ).fetchone()
            print(
                f"{companies:>10,} {seconds:>9.1f} {events:>12,} {events / seconds:>10,.0f} {contacts:>9,} {metrics:>14,}"
            )
        finally:
            with psycopg.connect(options.server, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH}")


if __name__ == "__main__":
    main()
