from __future__ import annotations

from celery import shared_task

from core.locks import LeaseHeld
from ingestion.services.pending import pending_release_run


@shared_task(name="ingestion.release_pending", ignore_result=True)
def release_pending_task() -> dict:
    """Move pending events whose company is known now (the safety net behind the re-check each request
    does after its commit). Another run holding the lease does the work."""
    try:
        return pending_release_run()
    except LeaseHeld as held:
        return {"skipped": str(held)}
