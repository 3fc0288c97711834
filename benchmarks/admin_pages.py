"""Django admin pages on the demo workspace: the milestone edit page (its inlines), the company list and the
customers' progress list. Prints the queries, and the median and spread of the in-process time (wall clock,
and this process's CPU time, which other work on a busy machine disturbs less).

    python manage.py migrate && python manage.py load_methodology
    python manage.py seed_demo --companies 1000 --days 365 --seed 42 && python manage.py run_daily
    python benchmarks/admin_pages.py --database-url sqlite:///var/waypoint.sqlite3 --runs 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.common import setup_django


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("WAYPOINT_BACKGROUND_THREADS", "false")
    setup_django(args.database_url)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User
    from milestones.models import Milestone

    admin = User.objects.filter(is_superuser=True).first() or User.objects.filter(is_staff=True).first()
    milestone = max(Milestone.objects.all(), key=lambda m: m.tasks.count())
    pages = {
        f"milestone edit ({milestone.tasks.count()} tasks)": reverse(
            "admin:milestones_milestone_change", args=[milestone.pk]
        ),
        "company list": reverse("admin:companies_company_changelist"),
        "progress list": reverse("admin:milestones_companyprogress_changelist"),
    }
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    print(f"database: {connection.vendor}, {args.runs} runs per page after one warm-up")
    for name, url in pages.items():
        assert client.get(url).status_code == 200
        times, cpu, queries = [], [], 0
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as captured:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200
            queries = len(captured)
        print(
            f"{name:32} {queries:3d} queries  median {statistics.median(times):6.1f} ms  "
            f"(min {min(times):.1f}, max {max(times):.1f}); CPU median {statistics.median(cpu):6.1f} ms"
        )


if __name__ == "__main__":
    main()
