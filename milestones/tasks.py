"""Celery entry points of the daily run: thin wrappers around milestones/services/daily.py."""

from __future__ import annotations

from datetime import date

from celery import chord, shared_task
from django.conf import settings

from core.locks import LeaseHeld
from journey.tasks import score_journeys_task
from milestones.services import daily


@shared_task(name="milestones.run_daily", ignore_result=True)
def run_daily_task(as_of: str | None = None, rebuild: bool = False, scores: bool = True) -> dict:
    """Beat's daily entry point: plan the run and fan its chunks out over the workers (a chord whose
    callback writes the snapshot). Without a broker, the chunks run here, one after the other. The journey
    scores (`scores`) do not depend on the milestones: they run beside them, as a task of their own."""
    day = date.fromisoformat(as_of) if as_of else daily.default_as_of()
    if scores:
        score_journeys_task.delay(as_of=day.isoformat())
    if settings.CELERY_TASK_ALWAYS_EAGER:
        try:
            return daily.run_inline(job="daily", as_of=day, rebuild=rebuild)
        except LeaseHeld as held:
            return {"skipped": str(held)}
    try:
        plan = daily.run_start(job="daily", as_of=day, rebuild=rebuild)
    except LeaseHeld as held:
        return {"skipped": str(held)}
    message = plan.to_message()
    if not plan.chunks:
        return daily.run_finish(plan, [])
    chord(
        assess_chunk_task.s(message, first, last, plan.late_in(first, last)) for first, last in plan.chunks
    )(finish_run_task.s(message))
    return {"run_id": plan.run_id, "chunks": len(plan.chunks)}


@shared_task(name="milestones.assess_chunk", acks_late=True)
def assess_chunk_task(message: dict, first_id: int, last_id: int, late: dict[str, str]) -> dict:
    return daily.run_chunk(daily.RunPlan.from_message(message), first_id, last_id, late).as_dict()


@shared_task(name="milestones.finish_run")
def finish_run_task(results: list[dict], message: dict) -> dict:
    return daily.run_finish(daily.RunPlan.from_message(message), results)
