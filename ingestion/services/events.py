"""Storing events, the one write path for every sender (Segment-compatible ingestion, the REST API).

Events are stored once per (source, message_id): a retried batch inserts nothing (INSERT … ON CONFLICT DO
NOTHING, so two copies arriving at once are safe too). Rows land in the caller's transaction; scoring of
the new events is scheduled for after the commit, never run in the request."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete

from companies.models import Event, EventType
from core.background import Deferred
from core.bulk import bulk_upsert
from journey.tasks import score_journeys_task

_FIELDS = ("company", "type", "occurred_at", "source", "message_id", "contact", "session_id", "properties")


@dataclass(slots=True)  # not frozen: frozen __init__ is several times slower, and ingestion makes 100s
class EventIn:
    """An event ready to store: attributed to a company, its name known, its properties clean."""

    company_id: int
    name: str
    occurred_at: datetime
    message_id: str
    contact_id: int | None = None
    session_id: str = ""
    properties: dict = field(default_factory=dict)


def events_store(*, source: str, events: Sequence[EventIn]) -> int:
    """Store the events that are new; returns how many were (the rest were already stored)."""
    if not events:
        return 0
    type_ids = event_type_ids({event.name for event in events})
    rows = [
        (
            event.company_id,
            type_ids[event.name],
            event.occurred_at,
            source,
            event.message_id,
            event.contact_id,
            event.session_id,
            event.properties,
        )
        for event in events
    ]
    stored = bulk_upsert(Event, _FIELDS, rows, conflict=("source", "message_id"))
    if stored:
        transaction.on_commit(scoring_kick, robust=True)  # a broker outage must not fail a committed write
    return stored


# Event names → ids. Names are few (tens to hundreds) and rows are never renamed, so each process keeps
# the committed ones; a deleted type (admin, only when no event uses it) leaves the cache below.
_type_ids: dict[str, int] = {}


def event_type_ids(names: Iterable[str]) -> dict[str, int]:
    found = {name: _type_ids[name] for name in names if name in _type_ids}
    missing = [name for name in names if name not in found]
    if missing:
        EventType.objects.bulk_create([EventType(name=name) for name in missing], ignore_conflicts=True)
        fresh = dict(EventType.objects.filter(name__in=missing).values_list("name", "id"))
        found.update(fresh)
        # Cached only once committed: a rolled-back type's id must never be reused.
        transaction.on_commit(lambda: _type_ids.update(fresh))
    return found


def event_types_forget() -> None:
    _type_ids.clear()


def _forget_type(sender, instance: EventType, **kwargs) -> None:
    _type_ids.pop(instance.name, None)


post_delete.connect(_forget_type, sender=EventType, dispatch_uid="ingestion.events.forget_type")


def scoring_kick() -> None:
    """Ask for an incremental scoring run soon: one run picks up every event stored until it starts.

    With a broker: a Celery task, at most once per WAYPOINT_SCORING_KICK_SECONDS per process; events stored
    while a kick is pending wait for the next kick or for beat's periodic run. Without one (the embedded
    default, WAYPOINT_BACKGROUND_THREADS): a thread of this process runs it, and runs it again for what
    arrived meanwhile. Either way it starts after the settle time, so the watermark includes the events
    that caused the kick, and never inside the request."""
    if settings.WAYPOINT_BACKGROUND_THREADS:
        _in_process.kick()
    elif cache.add("journey:scoring-kick", 1, timeout=settings.WAYPOINT_SCORING_KICK_SECONDS):
        score_journeys_task.apply_async(countdown=settings.WAYPOINT_EVENT_SETTLE_SECONDS + 1)


def _score_in_process() -> None:
    if "skipped" in score_journeys_task():  # another run holds the lease: look again after the delay
        _in_process.kick()


_in_process = Deferred("scoring", _score_in_process, delay=settings.WAYPOINT_EVENT_SETTLE_SECONDS + 1)
