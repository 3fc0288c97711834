"""Server time of the list and company pages at 10,000 and 100,000 companies (PostgreSQL): the companies
list and its search as a manager, deep pages, "stuck" sorted by MRR, the admin company list and its search,
the admin event list's deep pages, and a company page for a CSM with about 1,000 companies.

Each figure is the median of 20 requests through Django's test client in this process (no network, no
browser), repeated 3 times: it prints the median of the 3 medians and their spread. Target: ≤ 150 ms, flat
from 10k to 100k. The workspaces are copies of the assessment benchmark's (100k companies) and a 10k one
built the same way; one CSM is given 1,000 companies so the CSM figures have the size the target names.

    python benchmarks/bench_pages.py --database-url postgres://…/waypoint_bench_pages \\
        --small-database-url postgres://…/waypoint_bench_pages10k"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, machine_line, prepare_database

REQUESTS, REPEATS, TARGET_MS = 20, 3, 150
CSM_COMPANIES = 1_000
PAGES = [
    # (name, who, path)
    ("companies list", "manager", "/companies/"),
    ("companies search", "manager", "/companies/?q=Silver+Analytics"),
    ("companies page 3000", "manager", "/companies/?page=3000"),
    ("stuck, by MRR", "manager", "/companies/?stuck=true&ordering=-mrr"),
    ("admin companies", "admin", "/admin/companies/company/"),
    ("admin companies search", "admin", "/admin/companies/company/?q=Silver+Analytics"),
    ("admin events, deep page", "admin", "/admin/companies/event/?p=4000"),
    ("CSM companies list", "csm", "/companies/"),
    ("CSM company page", "csm", "{company}"),
]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="the 100k workspace (migrated here)")
    parser.add_argument("--small-database-url", help="the 10k workspace (built when missing)")
    args = parser.parse_args()
    results = {}
    for url, companies in ((args.small_database_url, 10_000), (args.database_url, 100_000)):
        if not url:
            continue
        # The 100k workspace is a copy of the assessment benchmark's when that one exists.
        prepare_database(url, companies=companies, template="waypoint_bench" if companies == 100_000 else "")
        _assessed(url)
        # One process per workspace: Django binds to one database per process.
        output = subprocess.run(
            [sys.executable, __file__, "--measure", url],
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "DATABASE_URL": url},
        ).stdout
        print(output, end="", flush=True)
        results[companies] = output
    print(f"target: ≤ {TARGET_MS} ms median server time at 100k, flat from 10k")


def _assessed(url: str) -> None:
    """Run the daily jobs once on a workspace that never had them (progress rows, journey states)."""
    import psycopg

    with psycopg.connect(url) as db:
        assessed = db.execute("SELECT EXISTS (SELECT 1 FROM milestones_companyprogress)").fetchone()[0]
    if not assessed:
        print("running the daily jobs once …", flush=True)
        env = {**os.environ, "DATABASE_URL": url}
        subprocess.run(
            [sys.executable, "manage.py", "run_daily"],
            cwd=ROOT,
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )


def measure(url: str) -> None:
    from common import setup_django, vacuum

    setup_django(url)
    from django.conf import settings
    from django.test import Client

    settings.DEBUG = False  # no query log
    settings.ALLOWED_HOSTS = ["localhost"]
    users, company = _cast()
    vacuum("companies_company", "milestones_companyprogress", "journey_journeystate")
    from companies.models import Company

    total = Company.objects.count()
    print(machine_line())
    print(f"workspace: {total:,} companies ({url.rsplit('/', 1)[-1]}); CSM with {CSM_COMPANIES:,} companies")
    print(f"{'page':>26} {'median ms':>10} {'spread':>14}  {'':4}")
    for name, who, path in PAGES:
        client = Client(SERVER_NAME="localhost")
        client.force_login(users[who])
        path = path.format(company=f"/companies/{company}/")
        assert client.get(path).status_code == 200, path  # warm caches, check it answers
        medians = []
        for _ in range(REPEATS):
            times = []
            for _ in range(REQUESTS):
                started = time.perf_counter()
                client.get(path)
                times.append((time.perf_counter() - started) * 1000)
            medians.append(statistics.median(times))
        value = statistics.median(medians)
        verdict = "ok" if value <= TARGET_MS else "SLOW"
        print(f"{name:>26} {value:10.1f} {min(medians):6.1f}–{max(medians):6.1f}  {verdict}", flush=True)


def _cast():
    """A manager, an admin and a CSM with CSM_COMPANIES customers (given the first ones by id when the
    workspace has none such), and one of that CSM's companies with events."""
    from accounts.models import User
    from accounts.roles import Role
    from companies.models import Company, Event
    from tests.factories import UserFactory

    manager = User.objects.filter(username="bench-manager").first() or UserFactory(
        username="bench-manager", role=Role.MANAGER
    )
    admin = User.objects.filter(username="bench-admin").first() or UserFactory(
        username="bench-admin", role=Role.ADMIN
    )
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    csm = User.objects.filter(username="bench-csm").first() or UserFactory(
        username="bench-csm", role=Role.CSM
    )
    if Company.objects.filter(csm=csm).count() < CSM_COMPANIES:
        ids = Company.objects.order_by("id").values_list("id", flat=True)[:CSM_COMPANIES]
        Company.objects.filter(id__in=list(ids)).update(csm=csm)
    company = (
        Company.objects.filter(csm=csm, lifecycle=Company.Lifecycle.CUSTOMER)
        .filter(id__in=Event.objects.values("company_id"))
        .order_by("id")
        .values_list("external_id", flat=True)
        .first()
    )
    return {"manager": manager, "admin": admin, "csm": csm}, company


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        measure(sys.argv[2])
    else:
        main()
