from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from core.background import QueuedJob
from core.days import day_end
from core.locks import LeaseHeld
from journey.services.scoring import journey_rebuild, journey_score

REBUILD_RETRY_SECONDS = 60
REBUILD_RETRIES = 120  # a scoring run in progress is waited for, up to two hours


@shared_task(name="journey.score_journeys", ignore_result=True)
def score_journeys_task(as_of: str | None = None) -> dict:
    """Score new events and apply due decay: through the end of `as_of` (the daily run), or through now
    (ingestion's follow-up). If another scoring run holds the lock, it will pick the events up."""
    until = day_end(date.fromisoformat(as_of)) if as_of else timezone.now()
    try:
        return journey_score(until=until).as_dict()
    except LeaseHeld as held:
        return {"skipped": str(held)}


@shared_task(bind=True, name="journey.rebuild_journeys", ignore_result=True, max_retries=REBUILD_RETRIES)
def rebuild_journeys_task(self) -> dict:
    """Replay every company with the current rules (after an admin changed them), through now. Waits for a
    scoring run in progress to finish (retrying every minute) rather than being lost."""
    try:
        return journey_rebuild(until=timezone.now()).as_dict()
    except LeaseHeld as held:
        if self.request.is_eager:
            return {"skipped": str(held)}
        raise self.retry(countdown=REBUILD_RETRY_SECONDS) from held


_rebuild = QueuedJob(
    "rebuild of the journey scores",
    lambda: journey_rebuild(until=timezone.now()),
    rebuild_journeys_task,
    retries=REBUILD_RETRIES,
    wait_seconds=REBUILD_RETRY_SECONDS,
)


def rebuild_journeys_queue() -> None:
    """Queue the rebuild (core.background.QueuedJob: a task, or a thread of this process without a broker,
    as for scoring new events). Its JobRun (job "scoring") shows progress and result."""
    _rebuild.queue()
