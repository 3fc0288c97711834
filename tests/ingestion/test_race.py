"""Nothing stranded by a race (issue scenario 1): a group call that creates a company and a track batch for
it, handled at the same moment by two workers, must leave no attributable event pending, whichever commits
first. Real HTTP on PostgreSQL: the live server handles each request on its own thread and connection."""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.request

import pytest
from django.db import connection
from django.utils import timezone

from companies.models import Company, Event
from core.models import JobRun
from ingestion.models import PendingEvent
from ingestion.services.pending import pending_release_run
from ingestion.services.write_keys import write_key_create
from tests.factories import CompanyFactory, ContactFactory

TRIALS = 30
EVENTS = 20


def _send(url: str, secret: str, body: dict) -> int:
    request = urllib.request.Request(  # noqa: S310 (the test's own server)
        f"{url}/v1/batch",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": "Basic " + base64.b64encode(f"{secret}:".encode()).decode(),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the test's own server)
        return response.status


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attributed_by", ["group", "user"])
def test_no_interleaving_leaves_an_attributable_event_pending(live_server, attributed_by):
    secret = write_key_create(name="Backend", source="backend")[1]
    statuses = []
    for trial in range(TRIALS):
        group, user = f"new-{trial}", f"user-{trial}"
        context = {"groupId": group} if attributed_by == "group" else {}
        track = {
            "batch": [
                {"type": "track", "messageId": f"{trial}-{n}", "userId": user, "event": "blog_viewed",
                 "context": context}
                for n in range(EVENTS)
            ]
        }  # fmt: skip
        link = {
            "batch": [
                {"type": "group", "messageId": f"{trial}-g", "userId": user, "groupId": group,
                 "traits": {"name": f"New {trial}"}},
                {"type": "identify", "messageId": f"{trial}-i", "userId": user, "context": {"groupId": group}},
            ]
        }  # fmt: skip
        barrier = threading.Barrier(2)

        def send(body: dict, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            statuses.append(_send(live_server.url, secret, body))

        # Both orders: sometimes the track batch, sometimes the group call, reaches the database first.
        bodies = [track, link] if trial % 2 else [link, track]
        threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses == [200] * (2 * TRIALS)
    assert Company.objects.count() == TRIALS
    assert PendingEvent.objects.count() == 0, "events left pending although their company exists"
    assert Event.objects.count() == TRIALS * EVENTS


@pytest.mark.django_db
def test_the_periodic_pass_moves_what_became_attributable_and_reports_it():
    acme = CompanyFactory(external_id="acme")
    ContactFactory(company=acme, external_id="u-1")
    defaults = {"source": "product", "name": "blog_viewed", "occurred_at": "2026-03-02T10:00:00Z"}
    PendingEvent.objects.create(message_id="by-group", group_id="acme", **defaults)
    PendingEvent.objects.create(message_id="by-user", user_id="u-1", **defaults)
    PendingEvent.objects.create(message_id="still-unknown", group_id="nobody", **defaults)
    report = pending_release_run()
    assert (report["released"], report["left"]) == (2, 1)
    assert set(Event.objects.values_list("message_id", flat=True)) == {"by-group", "by-user"}
    run = JobRun.objects.get(job="pending")
    assert run.status == JobRun.Status.SUCCEEDED and run.detail["released"] == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the background thread needs its own connection"
)
@pytest.mark.django_db(transaction=True)
def test_without_a_broker_events_sent_to_the_server_are_scored_within_seconds(client, settings, methodology):
    """The embedded default: no broker, so a thread of the web process scores what ingestion stored, after
    the settle time, never inside the request."""
    from journey.models import JourneyState
    from journey.services.scoring import journey_score

    settings.WAYPOINT_BACKGROUND_THREADS = True
    acme = CompanyFactory(external_id="acme")
    journey_score(until=timezone.now())  # the workspace's first run (history)
    secret = write_key_create(name="Backend", source="backend")[1]
    body = {"type": "track", "userId": "u-1", "event": "demo_requested", "context": {"groupId": "acme"}}
    started = time.monotonic()
    response = client.post(
        "/v1/track",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{secret}:".encode()).decode(),
    )
    assert response.status_code == 200
    assert not JourneyState.objects.filter(company=acme, score__gt=0).exists()  # not in the request
    while not JourneyState.objects.filter(company=acme, score=600).exists():
        assert time.monotonic() - started < 30, "not scored by the background thread"
        time.sleep(0.2)
