"""The CTA run and the CSM's pages at scale, on PostgreSQL, against one pass over the events.

    python benchmarks/bench_ctas.py [--database-url URL] [--template waypoint_bench] [--repeat 3]

Works on a copy of the 100,000-company workspace of bench_assessment.py (made once with
CREATE DATABASE … TEMPLATE, then reused), assessed through its last day D. One CSM gets 1,000 customers
(the queue's heavy case). Prints, each as the median and spread of --repeat runs:
  (a) one `GROUP BY company, event name` pass over the events (the reference);
  (g1) generate_ctas for D on an empty CTA table (the first run);
  (g2) generate_ctas for D again (a rerun of the day: nothing to write);
  (g3) generate_ctas for D + 1, after the assessment of D + 1 (untimed), from the CTAs of D;
  the queue page and the company page of that CSM: server time through Django's test client, median of
  --requests requests per run;
and the ratios g/a (target ≤ 0.5) and page times (target ≤ 150 ms), with PostgreSQL's settings."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import group_by_pass, machine_line, prepare_database, setup_django, vacuum, verdict

TABLES = ("ctas_cta", "ctas_ctatask", "ctas_ctachange")
SETTINGS = (
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "maintenance_work_mem",
    "max_parallel_workers_per_gather",
    "random_page_cost",
    "jit",
    "synchronous_commit",
    "autovacuum",
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/waypoint_bench_ctas")
    parser.add_argument("--template", default="waypoint_bench", help="the assessed workspace to copy")
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--csm-companies", type=int, default=1000)
    options = parser.parse_args()

    prepare_database(options.database_url, companies=options.companies, template=options.template)
    setup_django(options.database_url)
    from django.db import connection

    print(machine_line())
    with connection.cursor() as cursor:
        values = []
        for name in SETTINGS:
            cursor.execute(f"SHOW {name}")
            values.append(f"{name}={cursor.fetchone()[0]}")
    print("PostgreSQL: " + ", ".join(values))

    from ctas.services.generate import assessed_day

    day = assessed_day()
    assert day is not None, "the workspace has not been assessed: run run_daily on it first"
    csm = _heavy_csm(options.csm_companies)
    print(f"as of {day}; CSM {csm.username} with {csm.companies.count():,} companies")

    vacuum("companies_event", "companies_eventtype")
    a = [group_by_pass() for _ in range(options.repeat)]
    print(_line("(a) GROUP BY pass", a))

    first, rerun = [], []
    for _ in range(options.repeat):
        _empty()
        vacuum("milestones_companyprogress", "companies_company", *TABLES)
        first.append(_generate(day))
        rerun.append(_generate(day))
    print(_line(f"(g1) generate_ctas {day}, first run", first, _created()))
    print(_line(f"(g2) generate_ctas {day}, rerun", rerun))
    _snapshot()

    from milestones.services.runs import run_inline

    next_day = day + timedelta(days=1)
    started = time.perf_counter()
    run_inline(job="milestones", as_of=next_day)
    print(f"     (assessment of {next_day}, untimed here: {time.perf_counter() - started:.1f} s)")
    following = []
    for _ in range(options.repeat):
        _restore()
        vacuum(*TABLES)
        following.append(_generate(next_day))
    print(_line(f"(g3) generate_ctas {next_day}, next day", following))

    queue, company, managers = [], [], []
    manager = _manager()
    for _ in range(options.repeat):
        q, c = _pages(csm, options.requests)
        queue.append(q)
        company.append(c)
        managers.append(_timed(manager, "/queue/", options.requests))
    print(_line(f"queue page, {csm.username} (ms, median of {options.requests})", queue))
    print(_line(f"company page, {csm.username} (ms, median of {options.requests})", company))
    print(_line(f"queue page, every CSM's, {manager.username} (ms)", managers))

    ref = statistics.median(a)
    print()
    print(verdict("g1/a (first run)", statistics.median(first) / ref, 0.5))
    print(verdict("g2/a (rerun of the day)", statistics.median(rerun) / ref, 0.5))
    print(verdict("g3/a (next day)", statistics.median(following) / ref, 0.5))
    print(verdict("queue page ms", statistics.median(queue), 150))
    print(verdict("company page ms", statistics.median(company), 150))


def _line(name: str, values: list[float], extra: str = "") -> str:
    return (
        f"{name:>52}: median {statistics.median(values):8.3f}  "
        f"(min {min(values):.3f}, max {max(values):.3f}, n={len(values)}){'  ' + extra if extra else ''}"
    )


def _heavy_csm(size: int):
    """The CSM with the most companies, given `size` customers in all (the heavy case of the queue)."""
    from django.db.models import Count

    from accounts.models import User
    from companies.models import Company
    from ctas.selectors import csms

    csm = csms().annotate(n=Count("companies")).order_by("-n", "id").first()
    assert csm is not None
    have = csm.companies.count()
    if have < size:
        ids = list(
            Company.objects.filter(lifecycle="customer")
            .exclude(csm=csm)
            .order_by("id")
            .values_list("id", flat=True)[: size - have]
        )
        Company.objects.filter(id__in=ids).update(csm=csm)
    return User.objects.get(pk=csm.pk)


def _generate(day) -> float:
    from ctas.services.generate import ctas_generate

    started = time.perf_counter()
    ctas_generate(as_of=day)
    return time.perf_counter() - started


def _created() -> str:
    from ctas.models import CTA, CTATask

    return f"{CTA.objects.count():,} CTAs, {CTATask.objects.count():,} tasks"


def _empty() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE ctas_ctachange, ctas_ctatask, ctas_cta")
        cursor.execute("DELETE FROM accounts_notification WHERE link LIKE '/ctas/%%' OR link = '/queue/'")


def _snapshot() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS bench_{table}")
            cursor.execute(f"CREATE TABLE bench_{table} AS SELECT * FROM {table}")


def _restore() -> None:
    from django.db import connection

    _empty()
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"INSERT INTO {table} SELECT * FROM bench_{table}")


def _manager():
    from accounts.models import User
    from accounts.roles import GROUP_NAMES, Role

    return User.objects.filter(groups__name=GROUP_NAMES[Role.MANAGER]).order_by("id").first()


def _timed(user, url: str, requests: int) -> float:
    """Server time of `requests` GETs through Django's test client, in ms: their median."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    times = []
    for _ in range(requests + 1):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times[1:])  # the first warms the connection and caches


def _pages(csm, requests: int) -> tuple[float, float]:
    from ctas.models import CTA

    cta = CTA.objects.filter(owner=csm).order_by("-priority_score").select_related("company").first()
    company_url = cta.company.get_absolute_url() if cta else csm.companies.first().get_absolute_url()
    return _timed(csm, "/queue/", requests), _timed(csm, company_url, requests)


if __name__ == "__main__":
    main()
