"""Telling people a company changed stage (DESIGN §3.8, §8): an in-app notification for the owner CSM, an
email, and a signed webhook to each subscribed endpoint. Everything is written in the caller's transaction
(the outbox): a change that rolls back sends nothing; the relay sends the rest after commit, at least once."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Notification
from companies.models import Company
from core.models import OutboxMessage, WebhookEndpoint
from core.tasks import deliver_outbox_task
from journey.scoring.domain import Change, Config, score_text

logger = logging.getLogger("waypoint.outbox")

STAGE_CHANGED = "company.stage_changed"


def stage_changes_notify(changes: list[tuple[int, Change]], config: Config) -> int:
    """Write the notifications of these live changes; returns how many changes were notified.

    Promotions, and demotions caused by an event (a negative signal), get an email each at once; demotions
    by decay, which a daily run finds by the dozen, get one digest email per CSM."""
    companies = Company.objects.select_related("csm").in_bulk({company_id for company_id, _ in changes})
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True))
    ranks = {key: rank for rank, (_, key, _) in enumerate(config.stages)}
    notifications, outbox = [], []
    digests: dict = defaultdict(list)
    for company_id, change in changes:
        company = companies.get(company_id)
        if company is None:
            continue
        headline = (
            f"{company.name} moved from {config.stage_name(change.from_stage)} to "
            f"{config.stage_name(change.to_stage)} ({score_text(change.score)})"
        )
        why = (
            f"after {change.event_name.replace('_', ' ')}"
            if change.cause == "event"
            else "after a week without engagement"
        )
        link = company.get_absolute_url()
        promotion = ranks.get(change.to_stage, 0) > ranks.get(change.from_stage, 0)
        if company.csm:
            notifications.append(
                Notification(user=company.csm, title=headline, body=why.capitalize() + ".", link=link)
            )
            if company.csm.email:
                if change.cause == "decay" and not promotion:
                    digests[company.csm].append(f"- {headline}, {why}: {settings.WAYPOINT_BASE_URL}{link}")
                else:
                    outbox.append(
                        _email(
                            company.csm.email,
                            headline,
                            f"{headline}, {why}.\n\n{settings.WAYPOINT_BASE_URL}{link}",
                        )
                    )
        payload = {
            "company": company.external_id,
            "name": company.name,
            "from_stage": change.from_stage,
            "to_stage": change.to_stage,
            "score": round(change.score / 100, 2),
            "at": change.at.isoformat(),
            "cause": change.cause,
            "event": change.event_name or None,
        }
        outbox.extend(_webhook(endpoint, payload, key=(company_id, change)) for endpoint in endpoints)
    for csm, lines in digests.items():
        subject = f"{len(lines)} of your companies lost a stage"
        body = (
            "Without engagement for a week or more, these companies decayed to a lower stage:\n\n"
            + "\n".join(lines)
        )
        outbox.append(_email(csm.email, subject, body, kind="company.stage_demotions_digest"))
    Notification.objects.bulk_create(notifications, batch_size=1000)
    OutboxMessage.objects.bulk_create(outbox, batch_size=1000, ignore_conflicts=True)
    if outbox:
        transaction.on_commit(_kick_relay)
    return len(changes)


def _email(recipient: str, subject: str, body: str, *, kind: str = STAGE_CHANGED) -> OutboxMessage:
    return OutboxMessage(
        message_id=uuid.uuid4(),
        channel=OutboxMessage.Channel.EMAIL,
        kind=kind,
        recipient=recipient,
        subject=subject[:200],
        payload={"body": body},
    )


# Webhook ids derive from the change and the endpoint, so a change found again (a replay, a rebuild) keeps
# its id and receivers deduplicate it (Standard Webhooks' webhook-id).
_WEBHOOK_IDS = uuid.UUID("6b1f4c1e-5a8d-4f0e-9a59-3d2c8f0b7e21")


def _webhook(endpoint: WebhookEndpoint, data: dict, *, key: tuple[int, Change]) -> OutboxMessage:
    company_id, change = key
    message_id = uuid.uuid5(
        _WEBHOOK_IDS,
        f"{company_id}|{change.from_stage}|{change.to_stage}|{change.at.isoformat()}|{endpoint.pk}",
    )
    return OutboxMessage(
        message_id=message_id,
        channel=OutboxMessage.Channel.WEBHOOK,
        kind=STAGE_CHANGED,
        endpoint=endpoint,
        # Thin and typed (Standard Webhooks): the receiver fetches more through the API if it needs it.
        payload={"type": STAGE_CHANGED, "timestamp": timezone.now().isoformat(), "data": data},
    )


def _kick_relay() -> None:
    try:
        deliver_outbox_task.delay()
    except Exception:
        logger.warning("could not enqueue the outbox relay; it will run on schedule", exc_info=True)
