"""Events sent through the REST API: validated items in, stored through events_store (the one write path,
idempotent per message id) under the source "api"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from companies.models import Contact
from ingestion.segment import session_id_of
from ingestion.services.events import EventIn, events_store

SOURCE = "api"


@dataclass(frozen=True)
class EventItem:
    """One event as the API validated it: its company resolved, its properties clean."""

    company_id: int
    name: str
    occurred_at: datetime
    message_id: str
    contact: str = ""  # the contact's external id
    properties: dict | None = None


@transaction.atomic
def events_record(*, items: Sequence[EventItem]) -> int:
    """Store the events; returns how many were new (the rest were stored before under their message id).
    A contact named by an unknown external id is created at the event's company: contacts are created on
    first sight (DESIGN §2)."""
    contact_ids = _contact_ids(items)
    return events_store(
        source=SOURCE,
        events=[
            EventIn(
                company_id=item.company_id,
                name=item.name,
                occurred_at=item.occurred_at,
                message_id=item.message_id,
                contact_id=contact_ids.get(item.contact),
                session_id=session_id_of(item.properties or {}),
                properties=item.properties or {},
            )
            for item in items
        ],
    )


def _contact_ids(items: Sequence[EventItem]) -> dict[str, int]:
    wanted: dict[str, int] = {}
    for item in items:
        if item.contact:
            wanted.setdefault(item.contact, item.company_id)
    if not wanted:
        return {}
    known = dict(Contact.objects.filter(external_id__in=wanted).values_list("external_id", "id"))
    missing = [external_id for external_id in wanted if external_id not in known]
    if missing:
        # ignore_conflicts: a concurrent request may create the same contact; both then read its id.
        Contact.objects.bulk_create(
            [Contact(external_id=external_id, company_id=wanted[external_id]) for external_id in missing],
            ignore_conflicts=True,
        )
        known.update(Contact.objects.filter(external_id__in=missing).values_list("external_id", "id"))
    return known
