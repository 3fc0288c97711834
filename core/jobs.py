"""The life of a job run (JobRun), one definition for every job: started under the job's lease, then
succeeded or failed, with its detail (watermarks, counts, timings) kept either way. A run that was still
"running" when the next run of its job took the lease had died (its lease lapsed): it is marked abandoned.

In-process jobs use `job_running` (a context manager); a run whose work is spread over several processes
(the assessment's Celery chord) calls the functions one by one."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from core.locks import Lease, lease_acquire, lease_release
from core.models import JobRun

ERROR_KEPT = 500  # characters of an error message kept on the run


def job_runs_abandon(jobs: Iterable[str]) -> int:
    """Mark the runs of these jobs still "running" as abandoned, keeping what they recorded. Call it holding
    the jobs' lease: any run still marked running then is one whose process died (a handful of rows)."""
    now = timezone.now()
    dead = list(JobRun.objects.filter(job__in=list(jobs), status=JobRun.Status.RUNNING))
    for run in dead:
        run.status, run.finished_at = JobRun.Status.ABANDONED, now
        run.detail = {**run.detail, "error": "abandoned: its process died and its lease lapsed"}
    JobRun.objects.bulk_update(dead, ["status", "finished_at", "detail"])
    return len(dead)


def job_run_progress(run_id: int, *, done: int, total: int | None = None) -> None:
    """Record how many of its chunks a run has finished (admin shows it while the run works)."""
    fields = {"chunks_done": done} if total is None else {"chunks_done": done, "chunks_total": total}
    JobRun.objects.filter(pk=run_id).update(**fields)


def job_run_last(jobs: Iterable[str]) -> JobRun | None:
    """The latest successful run of these jobs (what the next run continues from)."""
    return (
        JobRun.objects.filter(job__in=list(jobs), status=JobRun.Status.SUCCEEDED)
        .order_by("-started_at")
        .first()
    )


def job_run_start(*, job: str, as_of: date | None, detail: dict, chunks_total: int = 0) -> JobRun:
    return JobRun.objects.create(job=job, as_of=as_of, chunks_total=chunks_total, detail=detail)


def job_run_succeed(run_id: int, detail: dict) -> None:
    """Record success, adding `detail` to what the run recorded when it started."""
    run = JobRun.objects.get(pk=run_id)
    run.detail = {**run.detail, **detail}
    run.status, run.finished_at = JobRun.Status.SUCCEEDED, timezone.now()
    run.save(update_fields=["detail", "status", "finished_at"])


def job_run_fail(run_id: int, error: BaseException, detail: dict | None = None) -> None:
    """Record the failure and its error, keeping the run's detail (its watermarks say what it had read)."""
    run = JobRun.objects.filter(pk=run_id, status=JobRun.Status.RUNNING).first()
    if run is None:
        return  # already recorded (another chunk of the same run failed first)
    message = f"{type(error).__name__}: {error}"[:ERROR_KEPT]
    run.detail = {**run.detail, **(detail or {}), "error": message}
    run.status, run.finished_at = JobRun.Status.FAILED, timezone.now()
    run.save(update_fields=["detail", "status", "finished_at"])


@dataclass
class RunningJob:
    run: JobRun
    lease: Lease
    detail: dict = field(default_factory=dict)  # what the run reports; recorded when it ends


@contextmanager
def job_running(
    *, job: str, lock: str, ttl: timedelta, as_of: date | None = None, detail: dict | None = None
) -> Iterator[RunningJob]:
    """Take the lease (or raise LeaseHeld), record the run, and record how it ended; the lease is freed
    either way. `detail` is recorded at the start (e.g. the watermark the run reads up to)."""
    lease = lease_acquire(lock, ttl=ttl)
    try:
        job_runs_abandon([job])
        running = RunningJob(job_run_start(job=job, as_of=as_of, detail=detail or {}), lease)
        try:
            yield running
        except BaseException as exc:
            job_run_fail(running.run.pk, exc, running.detail)
            raise
        job_run_succeed(running.run.pk, running.detail)
    finally:
        lease_release(lease)
