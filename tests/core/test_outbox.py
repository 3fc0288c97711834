"""The outbox relay (DESIGN §8): signed webhooks a receiver can verify, emails, retries with backoff, 410,
redirects, claims, and the SSRF guard."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from core import outbox
from core.models import OutboxMessage, WebhookEndpoint
from core.models import webhook_secret_new as secret_new
from core.outbox import BACKOFF, outbox_deliver, signature, url_refusal
from tests.webhooks import Receiver, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def endpoint(receiver):
    return WebhookEndpoint.objects.create(url=receiver.url, secret=secret_new())


def webhook(endpoint, **fields) -> OutboxMessage:
    return OutboxMessage.objects.create(
        message_id=uuid.uuid4(),
        channel=OutboxMessage.Channel.WEBHOOK,
        kind="company.stage_changed",
        endpoint=endpoint,
        payload={"type": "company.stage_changed", "data": {"company": "acme", "to_stage": "evaluation"}},
        **fields,
    )


# --- Signing ------------------------------------------------------------------------------------------------


def test_the_signature_reproduces_the_published_standard_webhooks_vector():
    assert (
        signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            b'{"test": 2432232314}',
        )
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_new_secrets_are_whsec_with_24_random_bytes():
    secret = secret_new()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 24
    assert secret != secret_new()


def test_a_delivered_webhook_verifies_at_the_receiver(endpoint, receiver):
    message = webhook(endpoint)
    assert outbox_deliver() == {"delivered": 1, "retrying": 0, "dead": 0}
    [(headers, body)] = receiver.requests
    assert headers["webhook-id"] == str(message.message_id)
    assert headers["content-type"] == "application/json"
    assert verify(endpoint.secret, headers, body) == message.payload
    with pytest.raises(ValueError, match="no matching signature"):
        verify(secret_new(), headers, body)  # another endpoint's secret
    with pytest.raises(ValueError, match="no matching signature"):
        verify(endpoint.secret, headers, body.replace(b"evaluation", b"target"))  # a tampered body
    message.refresh_from_db()
    assert (message.status, message.attempts, message.delivered_at is not None) == ("delivered", 1, True)
    assert outbox_deliver() == {"delivered": 0, "retrying": 0, "dead": 0}  # sent once


# --- Failures -------------------------------------------------------------------------------------------------


def test_a_failed_attempt_is_retried_later_with_the_same_id(endpoint, receiver):
    receiver.responses = [(500, {})]
    message = webhook(endpoint)
    before = timezone.now()
    assert outbox_deliver()["retrying"] == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("pending", 1, "HTTP 500")
    # The first backoff is 30 s, ±50%.
    wait = (message.next_attempt_at - before).total_seconds()
    assert BACKOFF[0] * 0.5 - 1 <= wait <= BACKOFF[0] * 1.5 + 1
    assert outbox_deliver()["retrying"] == 0  # not due yet
    OutboxMessage.objects.filter(id=message.id).update(next_attempt_at=timezone.now())
    assert outbox_deliver()["delivered"] == 1
    first, second = receiver.requests
    assert first[0]["webhook-id"] == second[0]["webhook-id"] == str(message.message_id)
    verify(endpoint.secret, *second)  # each attempt is signed with its own timestamp


def test_retry_after_is_honoured(endpoint, receiver):
    receiver.responses = [(429, {"Retry-After": "3600"})]
    message = webhook(endpoint)
    outbox_deliver()
    message.refresh_from_db()
    assert message.next_attempt_at >= timezone.now() + timedelta(seconds=3590)


def test_410_gone_disables_the_endpoint_and_drops_its_message(endpoint, receiver):
    receiver.responses = [(410, {})]
    message = webhook(endpoint)
    assert outbox_deliver()["dead"] == 1
    message.refresh_from_db()
    endpoint.refresh_from_db()
    assert message.status == "dead" and not endpoint.is_active
    assert endpoint.disabled_reason == "The endpoint answered 410 Gone."


def test_a_redirect_is_a_failure_and_is_not_followed(endpoint, receiver):
    receiver.responses = [(302, {"Location": "http://169.254.169.254/latest/meta-data/"})]
    message = webhook(endpoint)
    assert outbox_deliver()["retrying"] == 1
    message.refresh_from_db()
    assert message.last_error == "HTTP 302" and len(receiver.requests) == 1


def test_after_the_last_backoff_the_message_is_given_up(endpoint, receiver):
    receiver.responses = [(503, {})]
    message = webhook(endpoint, attempts=len(BACKOFF))
    assert outbox_deliver()["dead"] == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", len(BACKOFF) + 1)


def test_an_unreachable_receiver_is_retried(endpoint, receiver):
    receiver.server.shutdown()
    receiver.server.server_close()
    message = webhook(endpoint)
    assert outbox_deliver()["retrying"] == 1
    message.refresh_from_db()
    assert message.last_error.startswith("URLError")


# --- Claims -----------------------------------------------------------------------------------------------------


def test_a_message_claimed_by_a_live_relay_is_left_alone_and_a_dead_relays_claim_lapses(endpoint, receiver):
    message = webhook(endpoint, status="sending", claimed_until=timezone.now() + timedelta(minutes=4))
    assert outbox_deliver()["delivered"] == 0 and receiver.requests == []
    OutboxMessage.objects.filter(id=message.id).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert outbox_deliver()["delivered"] == 1
    assert len(receiver.requests) == 1


def test_the_claim_is_a_conditional_update(endpoint, receiver, monkeypatch):
    """Two relays that listed the same message: the second's claim finds it taken and sends nothing."""
    message = webhook(endpoint)
    real_send = outbox._send

    def other_relay_first(claimed):
        # While this relay sends, another one runs: it must not claim the message again.
        assert outbox_deliver() == {"delivered": 0, "retrying": 0, "dead": 0}
        return real_send(claimed)

    monkeypatch.setattr(outbox, "_send", other_relay_first)
    assert outbox_deliver()["delivered"] == 1
    assert len(receiver.requests) == 1
    message.refresh_from_db()
    assert message.attempts == 1


# --- Email --------------------------------------------------------------------------------------------------


def test_an_email_is_sent_with_its_message_id(mailoutbox):
    message = OutboxMessage.objects.create(
        message_id=uuid.uuid4(),
        channel=OutboxMessage.Channel.EMAIL,
        kind="company.stage_changed",
        recipient="alice@example.com",
        subject="Acme moved from Solution to Evaluation (6.00)",
        payload={"body": "After demo requested."},
    )
    assert outbox_deliver()["delivered"] == 1
    [mail] = mailoutbox
    assert (mail.to, mail.subject, mail.body) == (
        ["alice@example.com"],
        "Acme moved from Solution to Evaluation (6.00)",
        "After demo requested.",
    )
    assert mail.extra_headers["X-Waypoint-Message-Id"] == str(message.message_id)


# --- The SSRF guard ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("http://hooks.example.com/x", "only https URLs are called"),
        ("https://127.0.0.1/x", "127.0.0.1 resolves to a private address"),
        ("https://10.1.2.3/x", "10.1.2.3 resolves to a private address"),
        ("https://169.254.169.254/latest", "169.254.169.254 resolves to a private address"),
        ("https://[::1]:8443/x", "::1 resolves to a private address"),
        ("https://localhost/x", "localhost resolves to a private address"),
        ("https://93.184.215.14/hooks", ""),
    ],
)
def test_webhooks_go_only_to_public_https_addresses_in_production(settings, url, refusal):
    settings.WAYPOINT_WEBHOOK_ALLOW_PRIVATE = False
    assert url_refusal(url) == refusal


def test_a_refused_url_is_never_called(settings, endpoint, receiver):
    settings.WAYPOINT_WEBHOOK_ALLOW_PRIVATE = False
    message = webhook(endpoint)
    assert outbox_deliver()["retrying"] == 1
    message.refresh_from_db()
    assert message.last_error == "only https URLs are called" and receiver.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "https://[::ffff:127.0.0.1]/x",
        "https://0.0.0.0/x",
        "https://100.64.0.1/x",
        "https://224.0.0.1/x",
        "https://[fe80::1]/x",
        "https://240.0.0.1/x",
    ],
)
def test_mapped_shared_multicast_unspecified_and_reserved_addresses_are_refused(settings, url):
    settings.WAYPOINT_WEBHOOK_ALLOW_PRIVATE = False
    assert url_refusal(url).endswith("resolves to a private address")
