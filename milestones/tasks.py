"""Celery entry points of the assessment run: one chunk of companies, and the run's finish (the chord
callback that writes the snapshot). daily/tasks.py fans them out; milestones/services/runs.py does the
work."""

from __future__ import annotations

from celery import shared_task

from milestones.services import runs


@shared_task(name="milestones.assess_chunk", acks_late=True)
def assess_chunk_task(message: dict, first_id: int, last_id: int, late: dict[str, str]) -> dict:
    return runs.run_chunk(runs.RunPlan.from_message(message), first_id, last_id, late).as_dict()


@shared_task(name="milestones.finish_run")
def finish_run_task(results: list[dict], message: dict) -> dict:
    return runs.run_finish(runs.RunPlan.from_message(message), results)
