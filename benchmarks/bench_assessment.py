"""The milestone assessment at scale, on PostgreSQL, against the physical floor of one pass over the events.

    python benchmarks/bench_assessment.py [--database-url URL] [--companies 100000] [--fresh]

Uses (or, the first time, generates with `seed_demo`) a workspace of 100,000 companies and ~12M events in a
database of its own, then prints, each the median of --repeat runs where it says so:
  (a) one `SELECT company_id, name, count(*) … GROUP BY 1, 2` pass over the events;
  (c) the full-history rebuild, as of yesterday;
  (b) the daily assessment as of today, right after (c): every customer assessed through yesterday;
  (d) a naive per-company ORM loop doing the same work for 1,000 customers, extrapolated to all of them;
  the Celery fan-out: the same daily run as a chord on real workers (Redis), with 1 and with 2 worker
  processes, and its overhead over the in-process run;
and the ratios (b)/(a), (c)/(a), (d)/(b) against their targets. Tables are vacuumed before each timed step
(autovacuum may be off on benchmark machines)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (
    ROOT,
    group_by_pass,
    machine_line,
    median,
    prepare_database,
    setup_django,
    vacuum,
)

TARGETS = {"b/a": 3.0, "c/a": 10.0, "d/b": 50.0, "fan-out overhead s": 2.0}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/waypoint_bench")
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=1000, help="customers in the naive loop")
    parser.add_argument(
        "--broker", default="redis://127.0.0.1:6379/14", help="for the fan-out; 'none' skips it"
    )
    parser.add_argument("--fresh", action="store_true", help="regenerate the workspace")
    options = parser.parse_args()

    prepare_database(options.database_url, companies=options.companies, fresh=options.fresh)
    setup_django(options.database_url)
    print(machine_line())
    figures: dict[str, float] = {}
    counts = _workspace_counts()
    print(
        f"workspace: {counts['companies']:,} companies ({counts['customers']:,} assessed), "
        f"{counts['events']:,} events, {counts['metrics']:,} metric values"
    )

    _vacuum()
    figures["a"] = median(options.repeat, group_by_pass)
    print(f"(a) GROUP BY company, event name pass:      {figures['a']:7.2f} s  (median of {options.repeat})")

    from core.days import today
    from milestones.services.runs import run_inline

    yesterday, day = today() - timedelta(days=1), today()
    _vacuum()
    started = time.perf_counter()
    rebuild = run_inline(job="milestones", as_of=yesterday, rebuild=True)
    figures["c"] = time.perf_counter() - started
    print(
        f"(c) full-history rebuild as of {yesterday}: {figures['c']:7.2f} s  "
        f"({rebuild['achievements']:,} achievements for {rebuild['assessed']:,} customers)"
    )

    daily_phases: dict = {}

    def daily_run() -> float:
        _back_to(yesterday, day)
        _vacuum()
        started = time.perf_counter()
        summary = run_inline(job="milestones", as_of=day)
        assert summary["from_history"] == 0, summary  # the daily path, not history
        daily_phases.update(summary["chunk_seconds"])
        return time.perf_counter() - started

    figures["b"] = median(options.repeat, daily_run)
    print(f"(b) daily assessment as of {day}:         {figures['b']:7.2f} s  (median of {options.repeat})")

    seconds, sampled, total = _naive_loop(day, options.sample)
    figures["d"] = seconds / sampled * total
    print(
        f"(d) naive per-company ORM loop:             {figures['d']:7.0f} s  "
        f"({seconds:.1f} s for {sampled:,} customers × {total / sampled:.0f})"
    )

    if options.broker != "none":
        for workers in (1, 2):
            rebuild_wall, _ = _fan_out(yesterday, options, workers, rebuild=True)
            _back_to(yesterday, day)
            _vacuum()
            daily_wall, run = _fan_out(day, options, workers, rebuild=False)
            figures[f"c{workers}"], figures[f"b{workers}"] = rebuild_wall, daily_wall
            work = (
                run.detail["plan_seconds"]
                + sum(run.detail["chunk_seconds"].values())
                + run.detail["finish_seconds"]
            )
            print(
                f"    as a chord on {workers} Celery worker process(es): rebuild {rebuild_wall:6.2f} s, "
                f"daily {daily_wall:6.2f} s ({daily_wall - work:+.2f} s beyond the work itself)"
            )
            if workers == 1:
                # One process, chunks in a row: whatever the run took beyond its own work is Celery's.
                figures["fan-out overhead s"] = daily_wall - work

    print()
    ratios = {
        "b/a": figures["b"] / figures["a"],
        "c/a": figures["c"] / figures["a"],
        "d/b": figures["d"] / figures["b"],
    }
    if "b2" in figures:
        ratios["b/a with 2 workers"] = figures["b2"] / figures["a"]
        ratios["c/a with 2 workers"] = figures["c2"] / figures["a"]
        ratios["fan-out overhead s"] = figures["fan-out overhead s"]
    for name, value in ratios.items():
        target = TARGETS.get(name.replace(" with 2 workers", ""))
        ok = value >= target if name == "d/b" else value <= target
        print(
            f"{name:>22}: {value:7.2f}   target {'≥' if name == 'd/b' else '≤'} {target:g}   {'ok' if ok else 'MISSED'}"
        )
    print(f"    single-process run phases (daily): {daily_phases}")
    print(f"    single-process run phases (rebuild): {rebuild['chunk_seconds']}")


def _workspace_counts() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM companies_company), "
            "(SELECT count(*) FROM companies_company WHERE lifecycle IN ('customer', 'churned')), "
            "(SELECT reltuples::bigint FROM pg_class WHERE oid = 'companies_event'::regclass), "
            "(SELECT count(*) FROM companies_metricvalue)"
        )
        companies, customers, events, metrics = cursor.fetchone()
    return {"companies": companies, "customers": customers, "events": events, "metrics": metrics}


def _vacuum() -> None:
    vacuum(
        "milestones_achievement",
        "milestones_companyprogress",
        "milestones_funnelsnapshot",
        "milestones_csmfunnelsnapshot",
        "companies_event",
        "companies_metricvalue",
    )


def _back_to(yesterday, day) -> None:
    """Undo the assessment of `day`, so each timed daily run does the same work."""
    from milestones.models import Achievement, CompanyProgress

    Achievement.objects.filter(achieved_on=day).delete()
    CompanyProgress.objects.filter(assessed_through=day).update(assessed_through=yesterday, as_of=yesterday)


def _naive_loop(day, sample: int) -> tuple[float, int, int]:
    """The work of the daily assessment done the obvious way: for each customer, ORM queries per criterion,
    the health queries, and the progress row. Rolled back, so the workspace stays as it was."""
    from django.db import transaction
    from django.db.models import Count

    from companies.models import Company, Event, MetricValue
    from core.days import day_end, day_start, local_day
    from milestones.models import Achievement, CompanyProgress, Criterion, HealthSettings, Milestone

    companies = list(Company.objects.filter(lifecycle="customer", customer_since__lte=day).order_by("id"))
    total = len(companies)
    step = max(1, total // sample)
    chosen = companies[::step][:sample]
    health = HealthSettings.current()
    started = time.perf_counter()
    with transaction.atomic():
        for company in chosen:
            for milestone in Milestone.objects.order_by("phase__order", "order"):
                if Achievement.objects.filter(company=company, milestone=milestone).exists():
                    continue
                holds = True
                for criterion in Criterion.objects.filter(milestone=milestone):
                    if criterion.kind == "metric":
                        latest = (
                            MetricValue.objects.filter(
                                company=company, metric=criterion.metric, date__lte=day
                            )
                            .order_by("-date")
                            .first()
                        )
                        holds &= latest is not None and latest.value >= criterion.threshold
                        continue
                    events = Event.objects.filter(company=company, occurred_at__lt=day_end(day))
                    if criterion.window_days:
                        events = events.filter(
                            occurred_at__gte=day_start(day - timedelta(days=criterion.window_days - 1))
                        )
                    numerator = events.filter(type__name=criterion.event_name).count()
                    if criterion.kind == "ratio":
                        denominator = events.filter(type__name=criterion.denominator_event_name).count()
                        holds &= (
                            denominator >= criterion.min_denominator
                            and numerator / denominator >= criterion.threshold
                        )
                    else:
                        holds &= numerator >= criterion.threshold
                if holds:
                    Achievement.objects.create(company=company, milestone=milestone, achieved_on=day)
            recent = Event.objects.filter(
                company=company,
                occurred_at__gte=day_start(day - timedelta(days=health.window_days - 1)),
                occurred_at__lt=day_end(day),
            )
            active_days = recent.aggregate(n=Count(local_day("occurred_at"), distinct=True))["n"]
            used = recent.filter(type__name__in=health.key_actions).values("type").distinct().count()
            score = round(60 * active_days / 30 + 40 * used / max(1, len(health.key_actions)))
            CompanyProgress.objects.filter(company=company).update(health=score, as_of=day)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds, len(chosen), total


def _fan_out(day, options, workers: int, *, rebuild: bool):
    """The run through Celery: beat's task plans it, `workers` worker processes run the chunks. Returns the
    wall time from sending the task to the run's end, and the run's record."""
    import redis

    from config.celery import app
    from core.models import JobRun
    from daily.tasks import run_daily_task

    redis.Redis.from_url(options.broker).flushdb()
    env = {**os.environ, "CELERY_BROKER_URL": options.broker, "WAYPOINT_LOG_LEVEL": "WARNING"}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency",
            str(workers),
            "--loglevel",
            "WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    app.conf.update(broker_url=options.broker, result_backend=options.broker, task_always_eager=False)
    try:
        time.sleep(4)  # the worker's start-up is not part of a daily run
        last = JobRun.objects.order_by("-id").values_list("id", flat=True).first() or 0
        started = time.perf_counter()
        run_daily_task.delay(as_of=day.isoformat(), rebuild=rebuild, scores=False)
        while True:
            run = JobRun.objects.filter(id__gt=last, job="daily").first()
            if run and run.status != JobRun.Status.RUNNING:
                break
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        assert run.status == JobRun.Status.SUCCEEDED, run.detail
        return seconds, run
    finally:
        worker.terminate()
        worker.wait(timeout=30)


if __name__ == "__main__":
    main()
