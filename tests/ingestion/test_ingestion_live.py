"""Ingestion over real HTTP: the unmodified segment-analytics-python client pointed at a live Waypoint
(ING-01), and two copies of a batch arriving at once (ING-06, scenario 1)."""

from __future__ import annotations

import base64
import json
import threading
import urllib.request

import pytest
from django.db import connection
from segment.analytics.client import Client

from companies.models import Company, Contact, Event
from ingestion.services.write_keys import write_key_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def secret(transactional_db) -> str:
    return write_key_create(name="Backend", source="backend")[1]


@pytest.mark.parametrize("gzip", [False, True])
def test_the_segment_python_sdk_delivers_identify_group_and_track(live_server, secret, gzip):
    errors = []
    client = Client(
        secret, host=live_server.url, sync_mode=True, gzip=gzip, max_retries=0,
        on_error=lambda error, batch: errors.append(error),
    )  # fmt: skip
    client.group("u-1", "acme", {"name": "Acme Corp", "plan": "Pro"})
    client.identify("u-1", {"email": "ana@acme.example", "name": "Ana Lima"})
    client.track("u-1", "blog_viewed", {"url": "/blog/a"})
    client.page("u-1", category=None, name="Pricing", properties={"url": "/pricing"})
    client.track("u-2", "demo_requested", {"company_id": "acme"})
    assert errors == []
    company = Company.objects.get(external_id="acme")
    assert (company.name, company.plan) == ("Acme Corp", "Pro")
    assert Contact.objects.get(external_id="u-1").email == "ana@acme.example"
    events = Event.objects.filter(company=company).order_by("id")
    assert [e.type.name for e in events] == ["blog_viewed", "page_viewed", "demo_requested"]
    assert {e.source for e in events} == {"backend"}
    assert events[0].properties == {"url": "/blog/a"} and events[0].contact.external_id == "u-1"


def test_the_sdk_in_its_default_batching_mode_delivers_every_event(live_server, secret):
    client = Client(secret, host=live_server.url, max_retries=0, upload_interval=0.1)
    client.group("u-1", "acme", {"name": "Acme"})
    client.flush()
    for index in range(250):
        client.track("u-1", "blog_viewed", {"n": index})
    client.flush()
    client.join()
    assert Event.objects.filter(company__external_id="acme").count() == 250


def test_the_sdk_sees_a_refused_key_as_an_error(live_server):
    errors = []
    client = Client("wk_wrong", host=live_server.url, sync_mode=True, max_retries=0)
    try:
        client.track("u-1", "blog_viewed")
    except Exception as error:  # the SDK raises its APIError in sync mode
        errors.append(error)
    assert len(errors) == 1 and errors[0].status == 401 and errors[0].code == "invalid_write_key"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_copies_of_a_batch_arriving_at_once_are_stored_once(live_server, secret):
    Company.objects.create(external_id="acme", name="Acme")
    body = json.dumps({
        "batch": [
            {"type": "track", "messageId": f"m-{i}", "userId": "u-1", "event": "blog_viewed",
             "context": {"groupId": "acme"}}
            for i in range(100)
        ]
    }).encode()  # fmt: skip
    statuses, barrier = [], threading.Barrier(8)

    def send() -> None:
        request = urllib.request.Request(  # noqa: S310 (the test's own server)
            f"{live_server.url}/v1/batch", data=body, method="POST",
            headers={"Content-Type": "application/json",
                     "Authorization": "Basic " + base64.b64encode(f"{secret}:".encode()).decode()},
        )  # fmt: skip
        barrier.wait()
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (the test's own server)
            statuses.append((response.status, json.load(response)["stored"]))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in statuses] == [200] * 8
    assert sum(stored for _, stored in statuses) == 100
    assert Event.objects.count() == 100
