"""Pending events: track/page events no company was known for when they arrived. They are stored as events
once an identify or group call links their user or group to a company."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from ingestion.models import PendingEvent
from ingestion.selectors import attribution_lookup
from ingestion.services.events import EventIn, events_store


def pending_release(*, users: set[str], groups: set[str]) -> int:
    """Move the pending events that the users or groups just linked to a company now attribute."""
    if not users and not groups:
        return 0
    rows = list(PendingEvent.objects.filter(Q(user_id__in=users) | Q(group_id__in=groups)))
    if not rows:
        return 0
    return pending_attribute(rows)


def pending_attribute(rows: Iterable[PendingEvent]) -> int:
    """Store those of `rows` whose company is known now and delete them from the pending events; returns
    how many were attributed. Runs in the caller's transaction."""
    rows = list(rows)
    known = attribution_lookup(
        company_keys={row.group_id for row in rows}, user_ids={row.user_id for row in rows}
    )
    by_source: dict[str, list[EventIn]] = {}
    done = []
    for row in rows:
        company_id, contact_id = known.resolve(row.group_id, row.user_id)
        if company_id is None:
            continue
        by_source.setdefault(row.source, []).append(
            EventIn(company_id, row.name, row.occurred_at, row.message_id, contact_id, row.session_id,
                    row.properties)
        )  # fmt: skip
        done.append(row.pk)
    for source, events in by_source.items():
        events_store(source=source, events=events)
    PendingEvent.objects.filter(pk__in=done).delete()
    return len(done)
