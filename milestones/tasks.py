"""Celery entry points of the assessment run: one chunk of companies, the run's finish (the chord callback
that writes the snapshot), the fan-out of a run over the workers, and the re-assessment admin queues after
a checklist edit. milestones/services/runs.py does the work."""

from __future__ import annotations

from celery import Signature, chord, shared_task
from django.conf import settings

from core.background import QueuedJob
from core.days import yesterday
from core.locks import LeaseHeld
from milestones.services import runs

REASSESS_JOB = "milestones"  # a re-assessment is the assessment with rebuild: its JobRun says "rebuild"
REASSESS_RETRY_SECONDS = 60
REASSESS_RETRIES = 120  # a run in progress is waited for, up to two hours


@shared_task(name="milestones.assess_chunk", acks_late=True)
def assess_chunk_task(message: dict, first_id: int, last_id: int, late: dict[str, str]) -> dict:
    return runs.run_chunk(runs.RunPlan.from_message(message), first_id, last_id, late).as_dict()


@shared_task(name="milestones.finish_run")
def finish_run_task(results: list[dict], message: dict) -> dict:
    return runs.run_finish(runs.RunPlan.from_message(message), results)


def run_fan_out(plan: runs.RunPlan, then: Signature | None = None) -> dict:
    """The run's chunks as a chord over the workers; its callback writes the snapshot and ends the run, and
    `then` (what reads the assessment: the daily run's CTAs and analytics) follows it."""
    message = plan.to_message()
    if not plan.chunks:
        summary = runs.run_finish(plan, [])
        if then is not None:
            then.delay()
        return summary
    finish = finish_run_task.s(message)
    chord(
        assess_chunk_task.s(message, first, last, plan.late_in(first, last)) for first, last in plan.chunks
    )(finish if then is None else finish | then)
    return {"run_id": plan.run_id, "chunks": len(plan.chunks)}


@shared_task(bind=True, name="milestones.reassess", ignore_result=True, max_retries=REASSESS_RETRIES)
def reassess_task(self) -> dict:
    """Re-derive every customer's achievements from the whole history with the current checklists, as of
    yesterday (after an admin changed a checklist). Its JobRun records its progress (chunks done) and
    result. Waits for a run in progress (retrying every minute) rather than being lost; without a broker
    it runs here, chunk after chunk."""
    day = yesterday()
    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return runs.run_inline(job=REASSESS_JOB, as_of=day, rebuild=True)
        return run_fan_out(runs.run_start(job=REASSESS_JOB, as_of=day, rebuild=True))
    except LeaseHeld as held:
        if self.request.is_eager:
            return {"skipped": str(held)}
        raise self.retry(countdown=REASSESS_RETRY_SECONDS) from held


_reassess = QueuedJob(
    "re-assessment",
    lambda: runs.run_inline(job=REASSESS_JOB, as_of=yesterday(), rebuild=True),
    reassess_task,
    retries=REASSESS_RETRIES,
    wait_seconds=REASSESS_RETRY_SECONDS,
)


def reassess_queue() -> None:
    """Queue the re-assessment (core.background.QueuedJob: a task, or a thread of this process without a
    broker, as for the journey rebuild)."""
    _reassess.queue()
