"""Delivering the outbox: emails and signed webhooks, at least once, with retries and backoff.

Each message is claimed with a conditional UPDATE (two relays never send the same row in one pass), sent,
and marked delivered; a relay killed mid-send leaves its claim to lapse, and the message goes out again.
Webhooks follow Standard Webhooks: the headers webhook-id (the message's id, stable across attempts),
webhook-timestamp (per attempt) and webhook-signature "v1,<base64 HMAC-SHA256 of id.timestamp.body>", with
the endpoint's whsec_ secret. 2xx is success; 410 disables the endpoint; redirects are failures (never
followed); anything else is retried on a backoff of about three days, honouring Retry-After."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import random
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.utils import timezone

from core.models import OutboxMessage, WebhookEndpoint
from core.webhook_urls import url_refusal

logger = logging.getLogger("waypoint.outbox")

# Seconds before attempt n+1 (about three days in all), each ±50% jitter so retries do not stampede.
BACKOFF = [30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600, 24 * 3600]
CLAIM = timedelta(minutes=5)  # longer than a send (15 s timeout): a claim this old belongs to a dead relay
TIMEOUT = 15
MAX_RETRY_AFTER = 6 * 3600


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks: v1,base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}")), key = the base64 part
    of the whsec_ secret."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    error: str = ""
    retry_after: int | None = None  # seconds the receiver asked us to wait
    disable_endpoint: bool = False


def outbox_deliver(*, limit: int = 200) -> dict[str, int]:
    """Send the messages that are due (pending, or claimed by a relay that died). Returns counts."""
    now = timezone.now()
    due = (
        OutboxMessage.objects.filter(
            Q(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=OutboxMessage.Status.SENDING, claimed_until__lt=now)
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    counts = {"delivered": 0, "retrying": 0, "dead": 0}
    for message_id in list(due):
        claimed = (
            OutboxMessage.objects.filter(id=message_id)
            .filter(
                Q(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)
                | Q(status=OutboxMessage.Status.SENDING, claimed_until__lt=now)
            )
            .update(
                status=OutboxMessage.Status.SENDING, claimed_until=now + CLAIM, attempts=F("attempts") + 1
            )
        )
        if not claimed:
            continue  # another relay took it
        message = OutboxMessage.objects.select_related("endpoint").get(id=message_id)
        outcome = _send(message)
        counts[_record(message, outcome)] += 1
    return counts


def _send(message: OutboxMessage) -> Outcome:
    try:
        if message.channel == OutboxMessage.Channel.EMAIL:
            EmailMessage(
                subject=message.subject,
                body=message.payload.get("body", ""),
                to=[message.recipient],
                headers={"X-Waypoint-Message-Id": str(message.message_id)},
            ).send()
            return Outcome(True)
        return _post_webhook(message)
    except Exception as exc:
        return Outcome(False, f"{type(exc).__name__}: {exc}"[:500])


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is a failed delivery, never followed (it could point anywhere)


_opener = urllib.request.build_opener(_NoRedirects)


def _post_webhook(message: OutboxMessage) -> Outcome:
    endpoint = message.endpoint
    if endpoint is None or not endpoint.is_active:
        return Outcome(False, "endpoint disabled")
    refused = url_refusal(endpoint.url)
    if refused:
        return Outcome(False, refused)
    body = json.dumps(message.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 - scheme checked by url_refusal
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Waypoint-Webhooks/1",
            "webhook-id": str(message.message_id),
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(endpoint.secret, str(message.message_id), timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
        if status == 410:
            return Outcome(False, "410 Gone", disable_endpoint=True)
        return Outcome(False, f"HTTP {status}", retry_after=_retry_after(error.headers.get("Retry-After")))
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        return Outcome(False, f"{type(error).__name__}: {error}"[:500])
    if 200 <= status < 300:
        return Outcome(True)
    return Outcome(False, f"HTTP {status}")


def _retry_after(value: str | None) -> int | None:
    if value and value.strip().isdigit():
        return min(int(value.strip()), MAX_RETRY_AFTER)
    return None


def _record(message: OutboxMessage, outcome: Outcome) -> str:
    now = timezone.now()
    if outcome.delivered:
        OutboxMessage.objects.filter(id=message.id).update(
            status=OutboxMessage.Status.DELIVERED, delivered_at=now, claimed_until=None, last_error=""
        )
        return "delivered"
    if outcome.disable_endpoint and message.endpoint_id:
        WebhookEndpoint.objects.filter(id=message.endpoint_id).update(
            is_active=False, disabled_reason="The endpoint answered 410 Gone."
        )
    attempts = message.attempts  # already counted by the claim
    if outcome.disable_endpoint or attempts > len(BACKOFF):
        OutboxMessage.objects.filter(id=message.id).update(
            status=OutboxMessage.Status.DEAD, claimed_until=None, last_error=outcome.error
        )
        logger.error(
            "outbox message %s given up after %d attempts: %s", message.message_id, attempts, outcome.error
        )
        return "dead"
    delay = BACKOFF[attempts - 1] * random.uniform(0.5, 1.5)
    if outcome.retry_after:
        delay = max(delay, outcome.retry_after)
    OutboxMessage.objects.filter(id=message.id).update(
        status=OutboxMessage.Status.PENDING,
        claimed_until=None,
        next_attempt_at=now + timedelta(seconds=delay),
        last_error=outcome.error,
    )
    logger.warning("outbox message %s attempt %d failed: %s", message.message_id, attempts, outcome.error)
    return "retrying"
