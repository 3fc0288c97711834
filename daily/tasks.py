"""Beat's daily entry point: thin. The assessment fans out over the workers as a chord of chunk tasks whose
callback writes the snapshot; the CTAs are generated from it, then the analytics snapshots are built. The
journey scores, which do not depend on it, run beside it as a task of their own. Without a broker,
everything runs in-process (daily/services.py)."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.conf import settings

from core.days import yesterday
from core.locks import LeaseHeld
from ctas.tasks import generate_ctas_task
from daily.services import daily_run_inline
from funnel.tasks import build_snapshots_task
from ingestion.tasks import release_pending_task
from journey.tasks import score_journeys_task
from milestones.services import runs
from milestones.tasks import run_fan_out


@shared_task(name="daily.run_daily", ignore_result=True)
def run_daily_task(as_of: str | None = None, rebuild: bool = False, scores: bool = True) -> dict:
    day = date.fromisoformat(as_of) if as_of else yesterday()
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return daily_run_inline(as_of=day, rebuild=rebuild, scores=scores)
    release_pending_task.delay()  # the safety net for pending events, beside the run
    if scores:
        score_journeys_task.delay(as_of=day.isoformat())
    try:
        plan = runs.run_start(job="daily", as_of=day, rebuild=rebuild)
    except LeaseHeld as held:
        return {"skipped": str(held)}
    # The CTAs and then the analytics read what the assessment wrote: they follow the chord's callback.
    then = generate_ctas_task.s(as_of=day.isoformat()) | build_snapshots_task.si(
        day.isoformat(), day.isoformat()
    )
    return run_fan_out(plan, then=then)
