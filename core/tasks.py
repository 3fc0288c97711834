from __future__ import annotations

from celery import shared_task

from core.outbox import outbox_deliver


@shared_task(name="core.deliver_outbox", ignore_result=True, expires=300)
def deliver_outbox_task() -> dict:
    """Send due emails and webhooks. Kicked after each commit that writes some, and run every minute by beat
    for retries and for kicks that were lost (broker down)."""
    return outbox_deliver()
