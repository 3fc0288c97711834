"""Celery entry point of the CTA run: thin, idempotent per day (ctas/services/generate.py)."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from core.locks import LeaseHeld
from ctas.services.generate import NotAssessed, ctas_generate


@shared_task(name="ctas.generate", ignore_result=True)
def generate_ctas_task(previous: object = None, *, as_of: str) -> dict:
    """`previous` is the result of the task chained before it (the assessment's finish), unused."""
    try:
        return ctas_generate(as_of=date.fromisoformat(as_of)).as_dict()
    except (LeaseHeld, NotAssessed) as reason:
        return {"skipped": str(reason)}
