"""Events sent through the REST API: validated items in, stored through events_store (the one write path,
idempotent per message id). Each API user is a source of its own ("api-<user id>"), so message ids are
deduplicated per user: one user's ids can neither suppress nor reveal another's events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from companies.models import Contact
from ingestion.segment import session_id_of
from ingestion.services.events import EventIn, events_store


def api_source(user) -> str:
    """The source of the events a user sends through the API."""
    return f"api-{user.pk}"


@dataclass(frozen=True)
class EventItem:
    """One event as the API validated it: its company resolved, its properties clean."""

    company_id: int
    name: str
    occurred_at: datetime
    message_id: str
    contact: str = ""  # the contact's external id
    properties: dict | None = None


@transaction.atomic(durable=True)  # the request's one transaction; 2xx only after it commits
def events_record(*, user, items: Sequence[EventItem]) -> int:
    """Store the user's events; returns how many were new (the rest were stored before under their message
    id). A contact is one of the event's company: an unknown external id is created there, on first sight
    (DESIGN §2); the caller has refused ids that belong to another company's contacts."""
    contact_ids = _contact_ids(items)
    return events_store(
        source=api_source(user),
        events=[
            EventIn(
                company_id=item.company_id,
                name=item.name,
                occurred_at=item.occurred_at,
                message_id=item.message_id,
                contact_id=contact_ids.get((item.company_id, item.contact)),
                session_id=session_id_of(item.properties or {}),
                properties=item.properties or {},
            )
            for item in items
        ],
    )


def _contact_ids(items: Sequence[EventItem]) -> dict[tuple[int, str], int]:
    """(company id, contact external id) → contact id, creating the contacts the companies do not have."""
    wanted = {(item.company_id, item.contact) for item in items if item.contact}
    if not wanted:
        return {}

    def known() -> dict[tuple[int, str], int]:
        rows = Contact.objects.filter(external_id__in={name for _, name in wanted}).values_list(
            "company_id", "external_id", "id"
        )
        return {(company_id, name): contact_id for company_id, name, contact_id in rows}

    found = known()
    missing = {name: company_id for company_id, name in sorted(wanted) if (company_id, name) not in found}
    if missing:
        # A contact without a company (an identify call without a group) joins the event's company.
        loose = list(Contact.objects.filter(external_id__in=missing, company__isnull=True))
        for contact in loose:
            contact.company_id = missing.pop(contact.external_id)
        Contact.objects.bulk_update(loose, ["company"])
        # ignore_conflicts: a concurrent request may create the same contact; both then read its id.
        Contact.objects.bulk_create(
            [Contact(external_id=name, company_id=company_id) for name, company_id in missing.items()],
            ignore_conflicts=True,
        )
        found = known()
    return found
