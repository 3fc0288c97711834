"""The assessment run: the milestone assessment of every customer, in chunks, then the day's funnel snapshot.

    run_start → run_chunk (each chunk of companies, in this process or on Celery workers) → run_finish

One run at a time: `run_start` takes the job's lease (core/locks.py) or raises LeaseHeld; chunks renew
it; `run_finish` frees it. Chunks are id ranges of customers, independent of each other, each committed
on its own: a run killed halfway leaves finished chunks finished, and the next run (a rerun of the day, or
the next day) completes the rest with the same result. A second run for a day that is complete changes
nothing."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import F, Min
from django.utils import timezone

from companies.models import Company, Event, MetricValue
from companies.selectors import event_watermark
from core.days import day_end, local_day
from core.jobs import job_run_fail, job_run_last, job_run_start, job_run_succeed, job_runs_abandon
from core.locks import Lease, lease_acquire, lease_keep, lease_release, lease_renew
from core.models import JobRun
from milestones.services.assessment import ChunkResult, assess_chunk
from milestones.services.methodology import Methodology, methodology_load
from milestones.services.snapshots import snapshots_write

logger = logging.getLogger("waypoint.daily")

LOCK = "daily"  # the assessment and the daily run write the same rows: one lock for both
JOBS = ("daily", "milestones")  # the jobs that take it
LEASE_TTL = timedelta(minutes=15)  # a chunk takes seconds; a dead run frees the job after this


@dataclass(frozen=True)
class RunPlan:
    """What a run's chunks need: serialisable, so it travels in Celery messages."""

    run_id: int
    job: str
    as_of: date
    rebuild: bool
    lease: Lease
    chunks: list[tuple[int, int]]
    late: dict[int, date]

    def to_message(self) -> dict:
        return {
            "run_id": self.run_id,
            "job": self.job,
            "as_of": self.as_of.isoformat(),
            "rebuild": self.rebuild,
            "lease": [self.lease.name, self.lease.holder, self.lease.ttl.total_seconds()],
        }

    @staticmethod
    def from_message(message: dict) -> RunPlan:
        name, holder, ttl = message["lease"]
        return RunPlan(
            run_id=message["run_id"],
            job=message["job"],
            as_of=date.fromisoformat(message["as_of"]),
            rebuild=message["rebuild"],
            lease=Lease(name, holder, timedelta(seconds=ttl)),
            chunks=[],
            late={},
        )

    def late_in(self, first_id: int, last_id: int) -> dict[str, str]:
        return {str(cid): day.isoformat() for cid, day in self.late.items() if first_id <= cid <= last_id}


def run_start(*, job: str, as_of: date, rebuild: bool = False) -> RunPlan:
    """Take the lease (or raise LeaseHeld), record the run, and plan its chunks."""
    started = time.perf_counter()
    lease = lease_acquire(LOCK, ttl=LEASE_TTL)
    try:
        job_runs_abandon(JOBS)
        previous = job_run_last(JOBS)
        watermarks = {
            "event_watermark": event_watermark(),
            "started_at": timezone.now().isoformat(),
        }
        late = {} if rebuild else late_data(previous)
        chunks = chunk_bounds(as_of)
        run = job_run_start(
            job=job,
            as_of=as_of,
            chunks_total=len(chunks),
            detail={
                **watermarks,
                "rebuild": rebuild,
                "late_companies": len(late),
                "plan_seconds": round(time.perf_counter() - started, 3),
            },
        )
    except BaseException:
        lease_release(lease)
        raise
    logger.info(
        "daily run %s for %s: %d chunks, %d companies with late data", run.pk, as_of, len(chunks), len(late)
    )
    return RunPlan(run.pk, job, as_of, rebuild, lease, chunks, late)


def chunk_bounds(as_of: date, size: int | None = None) -> list[tuple[int, int]]:
    """Id ranges of the companies to assess, `size` companies each (the last may be shorter)."""
    size = size or settings.WAYPOINT_ASSESS_CHUNK
    ids = list(
        Company.objects.filter(
            lifecycle__in=[Company.Lifecycle.CUSTOMER, Company.Lifecycle.CHURNED], customer_since__lte=as_of
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def late_data(previous: JobRun | None) -> dict[int, date]:
    """Companies with data that arrived after the previous run began and belongs to a day it assessed:
    company id → the earliest such day. Their history is re-read from there."""
    if previous is None or previous.as_of is None or "event_watermark" not in previous.detail:
        return {}
    late: dict[int, date] = {}
    events = (
        Event.objects.filter(
            id__gt=previous.detail["event_watermark"], occurred_at__lt=day_end(previous.as_of)
        )
        .values("company_id")
        .annotate(first=Min(local_day("occurred_at")))
        .order_by()
    )
    metrics = (
        MetricValue.objects.filter(recorded_at__gt=previous.started_at, date__lte=previous.as_of)
        .values("company_id")
        .annotate(first=Min("date"))
        .order_by()
    )
    for row in [*events, *metrics]:
        day = late.get(row["company_id"])
        late[row["company_id"]] = row["first"] if day is None else min(day, row["first"])
    return late


def run_chunk(
    plan: RunPlan,
    first_id: int,
    last_id: int,
    late: dict[str, str],
    methodology: Methodology | None = None,
) -> ChunkResult:
    """Assess one chunk (idempotent), renewing the lease around it."""
    lease_keep(plan.lease, who=f"run {plan.run_id}")
    try:
        result = assess_chunk(
            as_of=plan.as_of,
            first_id=first_id,
            last_id=last_id,
            methodology=methodology or _methodology_for(plan.run_id),
            rebuild=plan.rebuild,
            late={int(cid): date.fromisoformat(day) for cid, day in late.items()},
        )
    except Exception as exc:
        run_failed(plan, exc)
        raise
    lease_renew(plan.lease)
    JobRun.objects.filter(pk=plan.run_id).update(chunks_done=F("chunks_done") + 1)
    return result


_methodologies: dict[int, Methodology] = {}


def _methodology_for(run_id: int) -> Methodology:
    """A worker process reads the methodology once per run, not once per chunk."""
    if run_id not in _methodologies:
        _methodologies.clear()
        _methodologies[run_id] = methodology_load()
    return _methodologies[run_id]


def run_finish(plan: RunPlan, results: list[dict]) -> dict:
    """Write the day's snapshot from the chunks' cells, record the outcome and free the lease."""
    started = time.perf_counter()
    try:
        cells = [cell for result in results for cell in result["cells"]]
        csm_cells = [cell for result in results for cell in result["csm_cells"]]
        snapshot_rows = snapshots_write(as_of=plan.as_of, cells=cells, csm_cells=csm_cells)
        totals: dict = {
            key: sum(result[key] for result in results)
            for key in ("companies", "assessed", "from_history", "achievements")
        }
        phases: dict[str, float] = {}
        for result in results:
            for phase, seconds in result["seconds"].items():
                phases[phase] = phases.get(phase, 0.0) + seconds
        totals["chunk_seconds"] = {phase: round(seconds, 2) for phase, seconds in phases.items()}
        job_run_succeed(
            plan.run_id,
            {
                **totals,
                "snapshot_rows": snapshot_rows,
                "finish_seconds": round(time.perf_counter() - started, 3),
            },
        )
    except Exception as exc:
        run_failed(plan, exc)
        raise
    lease_release(plan.lease)
    logger.info("daily run %s for %s done: %s", plan.run_id, plan.as_of, totals)
    return {"run_id": plan.run_id, "as_of": plan.as_of.isoformat(), **totals, "snapshot_rows": snapshot_rows}


def run_failed(plan: RunPlan, exc: BaseException) -> None:
    job_run_fail(plan.run_id, exc)
    lease_release(plan.lease)
    logger.exception("daily run %s for %s failed", plan.run_id, plan.as_of)


def run_inline(*, job: str, as_of: date, rebuild: bool = False) -> dict:
    """The whole run in this process, chunk after chunk (no broker needed)."""
    started = time.perf_counter()
    plan = run_start(job=job, as_of=as_of, rebuild=rebuild)
    methodology = methodology_load()
    results = [
        run_chunk(plan, first, last, plan.late_in(first, last), methodology).as_dict()
        for first, last in plan.chunks
    ]
    summary = run_finish(plan, results)
    return {**summary, "seconds": round(time.perf_counter() - started, 2)}
