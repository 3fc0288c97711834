"""Pending events: track/page events no company was known for when they arrived. They are stored as events
once an identify or group call links their user or group to a company.

Two requests at once (a track for a new company, and the group call that creates it) cannot see each
other's uncommitted rows. So each, once committed, looks again (`pending_recheck`): whichever commits last
sees both and moves the events. A periodic pass (`pending_release_attributable`) catches whatever a failed
re-check left."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from companies.models import Company, Contact
from core.jobs import job_running
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


def pending_recheck(*, users: set[str], groups: set[str]) -> int:
    """After a commit: move the pending events of these users or groups that are attributable now."""
    with transaction.atomic():
        return pending_release(users=users, groups=groups)


def pending_release_attributable(*, batch: int = 5_000) -> int:
    """Move every pending event whose company is known now: its group is a company, or (without a group)
    its user is a contact of one. Set-based, in batches of `batch` rows; returns how many were moved."""
    attributable = PendingEvent.objects.filter(
        Exists(Company.objects.filter(external_id=OuterRef("group_id")))
        | (
            Q(group_id="")
            & Exists(Contact.objects.filter(external_id=OuterRef("user_id"), company__isnull=False))
        )
    ).order_by("id")
    moved, after = 0, 0
    while rows := list(attributable.filter(id__gt=after)[:batch]):
        after = rows[-1].pk
        with transaction.atomic():
            moved += pending_attribute(rows)
    return moved


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


PENDING_JOB = "pending"


def pending_release_run() -> dict:
    """The periodic safety net as a recorded job run (one at a time; raises LeaseHeld when one is going)."""
    with job_running(job=PENDING_JOB, lock=PENDING_JOB, ttl=timedelta(minutes=15)) as running:
        running.detail["released"] = pending_release_attributable()
        running.detail["left"] = PendingEvent.objects.count()
        return dict(running.detail)
