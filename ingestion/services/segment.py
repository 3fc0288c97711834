"""Segment-compatible ingestion (DESIGN §6, §8): what a request's messages become.

- `group` upserts the company whose external_id is the groupId (traits name, domain/website, plan, mrr,
  segment) and links the message's user to it;
- `identify` upserts the contact whose external_id is the userId (traits email, name, title; company from
  context.groupId or traits.company_id / traits.company.id);
- `track`, `page` and `screen` become events, attributed to a company through context.groupId, then
  properties.company_id, then the company of the user's contact. An event no company can be found for yet
  is kept as a PendingEvent and moved into the events when an identify or group call links its user or
  group to a company;
- `alias` is accepted and ignored (Waypoint keys contacts by userId).

A request is one transaction: its upserts, events, pending events and reject records commit together, and
the caller answers 2xx only after the commit. Within a request, group and identify calls apply before the
events, so an SDK batch that identifies a user and tracks their first event attributes that event."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower

from companies.models import Company, Contact
from core.bulk import bulk_upsert
from core.days import earliest_moment
from ingestion.models import PendingEvent, RejectedMessage, WriteKey
from ingestion.segment import (
    TYPES,
    Message,
    Refused,
    company_key,
    message_read,
    messages_of,
    moment_parse,
    text_safe,
)
from ingestion.selectors import attribution_lookup
from ingestion.services.events import EventIn, events_store
from ingestion.services.pending import pending_recheck, pending_release

logger = logging.getLogger(__name__)

EVENT_TYPES = ("track", "page", "screen")
PAYLOAD_KEPT = 2000  # characters of a rejected message kept for whoever looks into it

# --- Messages ------------------------------------------------------------------------------------------------


@dataclass
class IngestResult:
    received: int
    stored: int = 0  # new events
    duplicates: int = 0  # events already stored (a retried batch)
    pending: int = 0  # events kept until their company is known
    rejected: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "received": self.received,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "pending": self.pending,
            "rejected": self.rejected,
        }


def segment_ingest(*, key: WriteKey, kind: str, body: dict, received_at: datetime) -> IngestResult:
    """Store what a /v1/<kind> request carries. Raises Refused (nothing stored) for a malformed batch;
    a bad message is recorded as rejected and the others are stored."""
    items = messages_of(body, kind)
    batch_sent_at = moment_parse(body.get("sentAt"))
    earliest = earliest_moment()
    messages: list[Message] = []
    rejects: list[tuple[int, object, Refused]] = []
    for index, item in enumerate(items):
        sent_at = moment_parse(item.get("sentAt")) if isinstance(item, dict) else None
        try:
            messages.append(
                message_read(
                    item, received_at=received_at, sent_at=sent_at or batch_sent_at, earliest=earliest
                )
            )
        except Refused as rejected:
            rejects.append((index, item, rejected))
    result = IngestResult(received=len(items))
    result.rejected = [
        {"index": index, "messageId": _message_id_of(item), "code": err.code, "message": err.message}
        for index, item, err in rejects
    ]
    source = key.source
    with transaction.atomic(durable=True):  # the request's one transaction; 2xx only after it commits
        companies = _companies_upsert([m for m in messages if m.type == "group"])
        linked_users = _contacts_upsert([m for m in messages if m.type in ("identify", "group")], companies)
        events = [m for m in messages if m.type in EVENT_TYPES]
        pending_keys = _events_store(source, events, result)
        pending_release(users=linked_users, groups=set(companies))
        if linked_users or companies or pending_keys[0] or pending_keys[1]:
            # Another request may have committed, concurrently, the events this one links or the company
            # this one's events wait for: whichever commits last sees both once committed (pending.py).
            users, groups = linked_users | pending_keys[0], set(companies) | pending_keys[1]
            transaction.on_commit(lambda: pending_recheck(users=users, groups=groups), robust=True)
        if rejects:
            RejectedMessage.objects.bulk_create(
                RejectedMessage(
                    source=source,
                    message_id=_message_id_of(item),
                    type=_type_of(item),
                    code=err.code,
                    reason=err.message[:255],
                    payload=_payload_text(item),
                )
                for _, item, err in rejects
            )
    if rejects:
        logger.warning(
            "ingest: %d of %d messages rejected (source %s): %s",
            len(rejects), len(items), source, ", ".join(sorted({err.code for _, _, err in rejects})),
        )  # fmt: skip
    return result


def _events_store(source: str, messages: list[Message], result: IngestResult) -> tuple[set[str], set[str]]:
    """Store the events whose company is known and keep the others pending; returns the user ids and
    company keys the pending ones wait for."""
    if not messages:
        return set(), set()
    known = attribution_lookup(
        company_keys={m.group_id or m.company_hint for m in messages}, user_ids={m.user_id for m in messages}
    )
    events, pending = [], []
    for m in messages:
        key = m.group_id or m.company_hint
        company_id, contact_id = known.resolve(key, m.user_id)
        properties = {**m.properties, "_timestamp_clamped": True} if m.future else m.properties
        if company_id is None:
            pending.append(
                (source, m.message_id, m.event, m.occurred_at, m.user_id, m.anonymous_id, key,
                 m.session_id, properties)
            )  # fmt: skip
            continue
        events.append(
            EventIn(company_id, m.event, m.occurred_at, m.message_id, contact_id, m.session_id, properties)
        )
    result.stored = events_store(source=source, events=events)
    result.duplicates = len(events) - result.stored
    if pending:
        result.pending = bulk_upsert(
            PendingEvent,
            ("source", "message_id", "name", "occurred_at", "user_id", "anonymous_id", "group_id",
             "session_id", "properties"),
            pending,
            conflict=("source", "message_id"),
        )  # fmt: skip
        result.duplicates += len(pending) - result.pending
    return {row[4] for row in pending if row[4]}, {row[6] for row in pending if row[6]}


# --- group and identify ------------------------------------------------------------------------------------

_COMPANY_TRAITS = {"name": 255, "domain": 255, "plan": 64, "segment": 64}


def _companies_upsert(messages: list[Message]) -> dict[str, int]:
    """Create or update the groups' companies; returns external_id → id for each groupId."""
    if not messages:
        return {}
    changes: dict[str, dict] = {}
    for m in messages:  # later calls for the same group win, trait by trait
        changes.setdefault(m.group_id, {}).update(_company_fields(m.traits))
    existing = {c.external_id: c for c in Company.objects.filter(external_id__in=changes)}
    updated: list[Company] = []
    fields: set[str] = set()
    for external_id, values in changes.items():
        company = existing.get(external_id)
        if company is None:
            continue
        changed = {name: value for name, value in values.items() if getattr(company, name) != value}
        if changed:
            for name, value in changed.items():
                setattr(company, name, value)
            updated.append(company)
            fields.update(changed)
    if updated:
        Company.objects.bulk_update(updated, [*sorted(fields), "updated_at"])
    new = [
        Company(external_id=external_id, **{"name": external_id, **values})
        for external_id, values in changes.items()
        if external_id not in existing
    ]
    if new:
        # A concurrent request may create the same company: its row stands, ours is skipped.
        Company.objects.bulk_create(new, ignore_conflicts=True)
    return dict(Company.objects.filter(external_id__in=changes).values_list("external_id", "id"))


def _company_fields(traits: dict) -> dict:
    values: dict[str, str | Decimal] = {}
    for name, limit in _COMPANY_TRAITS.items():
        raw = traits.get(name) if name != "domain" else traits.get("domain") or traits.get("website")
        if isinstance(raw, str) and raw.strip():
            text = raw.strip()
            if name == "domain":
                text = text.removeprefix("https://").removeprefix("http://").split("/")[0]
            values[name] = text[:limit]
    mrr = traits.get("mrr")
    if isinstance(mrr, int | float | str) and not isinstance(mrr, bool):
        try:
            amount = Decimal(str(mrr)).quantize(Decimal("0.01"))
            if 0 <= amount < 10**10:
                values["mrr"] = amount
        except InvalidOperation:
            pass  # not an amount (NaN, Infinity, text): the stored MRR stays
    return values


def _contacts_upsert(messages: list[Message], groups: dict[str, int]) -> set[str]:
    """Create or update the contacts of identify calls (and link group calls' users to their company);
    returns the userIds now linked to a company."""
    wanted: dict[str, dict] = {}
    for m in messages:
        if not m.user_id:
            continue
        values = wanted.setdefault(m.user_id, {})
        if m.type == "group":
            values["company_key"] = m.group_id
            continue
        values.update(_contact_fields(m.traits))
        company_key = m.group_id or _company_key_of(m.traits)
        if company_key:
            values["company_key"] = company_key
    if not wanted:
        return set()
    keys = {v["company_key"] for v in wanted.values() if "company_key" in v} - set(groups)
    company_ids = {
        **groups,
        **dict(Company.objects.filter(external_id__in=keys).values_list("external_id", "id")),
    }
    existing = {c.external_id: c for c in Contact.objects.filter(external_id__in=wanted)}
    emails = {v["email"].lower() for v in wanted.values() if v.get("email")}
    emails |= {c.email.lower() for c in existing.values() if c.email}
    by_email = {
        (c.company_id, c.email.lower()): c
        for c in Contact.objects.annotate(email_ci=Lower("email")).filter(email_ci__in=emails)
    }  # fmt: skip
    updated, new = [], []
    for user_id, values in wanted.items():
        named = company_ids.get(values.pop("company_key", None))
        contact = existing.get(user_id)
        company_id = named if named is not None else (contact.company_id if contact else None)
        # An address belongs to one contact per company: the one this user's contact will be at.
        email = values.get("email", contact.email if contact else "").lower()
        owner = by_email.get((company_id, email)) if email else None
        if owner is None and email and contact is None and named is None:
            holders = [c for (_, address), c in by_email.items() if address == email]
            owner = holders[0] if len(holders) == 1 else None  # the one contact with that address
        if contact is None and owner is not None and not owner.external_id:
            contact = owner  # known by email only until now: it gets the userId
            contact.external_id = user_id
            company_id = named if named is not None else contact.company_id
        if owner is not None and owner.pk != getattr(contact, "pk", None):
            values["email"] = ""  # the address is another contact's at that company
        values["company_id"] = company_id
        if contact is None:
            new.append(Contact(external_id=user_id, **values))
            continue
        for name, value in values.items():
            setattr(contact, name, value)
        updated.append(contact)
    if updated:
        Contact.objects.bulk_update(updated, ["external_id", "email", "name", "title", "company_id"])
    if new:
        Contact.objects.bulk_create(new, ignore_conflicts=True)
    return set(
        Contact.objects.filter(external_id__in=wanted, company__isnull=False).values_list(
            "external_id", flat=True
        )
    )


def _contact_fields(traits: dict) -> dict:
    values = {}
    email = traits.get("email")
    if isinstance(email, str) and len(email.strip()) <= 254:
        try:
            validate_email(email.strip())
            values["email"] = email.strip()
        except ValidationError:
            pass  # an unusable address is left out; the contact is still known by its userId
    name = traits.get("name")
    if not (isinstance(name, str) and name.strip()):
        parts = [traits.get(key) for key in ("firstName", "lastName", "first_name", "last_name")]
        name = " ".join(part.strip() for part in parts if isinstance(part, str) and part.strip())
    if name:
        values["name"] = name.strip()[:255]
    title = traits.get("title")
    if isinstance(title, str) and title.strip():
        values["title"] = title.strip()[:255]
    return values


def _company_key_of(traits: dict) -> str:
    company = traits.get("company")
    for value in (traits.get("company_id"), company.get("id") if isinstance(company, dict) else None):
        if key := company_key(value):
            return key
    return ""


# --- Helpers --------------------------------------------------------------------------------------------------


def _message_id_of(item) -> str:
    """The messageId of a rejected message as far as it can be stored (it may be why it was rejected)."""
    value = item.get("messageId") if isinstance(item, dict) else None
    return text_safe(value)[:100] if isinstance(value, str) else ""


def _type_of(item) -> str:
    value = item.get("type") if isinstance(item, dict) else None
    return value if isinstance(value, str) and value in TYPES else ""


def _payload_text(item) -> str:
    try:
        return json.dumps(item, ensure_ascii=True, default=str)[:PAYLOAD_KEPT]  # ASCII: NUL-safe
    except (RecursionError, ValueError):
        return "(too deeply nested to show)"
