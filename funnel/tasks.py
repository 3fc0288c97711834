from __future__ import annotations

from datetime import date

from celery import shared_task

from core.locks import LeaseHeld
from funnel.services import snapshots_build


@shared_task(name="funnel.build_snapshots", ignore_result=True)
def build_snapshots_task(first: str, last: str) -> dict:
    try:
        return snapshots_build(first=date.fromisoformat(first), last=date.fromisoformat(last))
    except LeaseHeld as held:
        return {"skipped": str(held)}
