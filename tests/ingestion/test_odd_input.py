"""Odd input on the Segment-compatible endpoints (issue scenarios 3, 6, 7, 8): chunked bodies, ids no
company can have, timestamps before the earliest day kept, and a table locked by someone else."""

from __future__ import annotations

import io
import json
import threading

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.db import connection, connections

from companies.models import Company, Event
from ingestion.models import PendingEvent, RejectedMessage
from ingestion.services.write_keys import write_key_create
from ingestion.views import segment_endpoint
from tests.factories import CompanyFactory
from tests.ingestion.test_ingestion import basic, post, track

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret() -> str:
    return write_key_create(name="Product", source="product")[1]


def chunked_request(body: bytes, secret: str) -> WSGIRequest:
    """A request as a server hands over a chunked body: decoded input, no Content-Length."""
    return WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/v1/batch",
            "SCRIPT_NAME": "",
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "CONTENT_TYPE": "application/json",
            "HTTP_TRANSFER_ENCODING": "chunked",
            "HTTP_AUTHORIZATION": basic(secret),
        }
    )


def test_a_chunked_body_is_read_and_stored(secret):
    company = CompanyFactory(external_id="acme")
    body = json.dumps({"batch": [track(f"m-{n}", context={"groupId": "acme"}) for n in range(3)]}).encode()
    response = segment_endpoint(chunked_request(body, secret), kind="batch")
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["stored"] == 3
    assert Event.objects.filter(company=company).count() == 3


def test_a_chunked_body_over_the_limit_is_refused_whole(secret):
    CompanyFactory(external_id="acme")
    padding = "x" * 30_000
    body = json.dumps(
        {
            "batch": [
                track(f"m-{n}", context={"groupId": "acme"}, properties={"p": padding}) for n in range(20)
            ]
        }
    ).encode()
    assert len(body) > 500 * 1024
    response = segment_endpoint(chunked_request(body, secret), kind="batch")
    assert response.status_code == 400 and json.loads(response.content)["code"] == "too_large"
    assert not Event.objects.exists()


@pytest.mark.parametrize("group_id", ["a/b", ".", "..", "a\tb", "x" * 256])
def test_a_group_id_no_company_can_have_is_refused(client, secret, group_id):
    response = post(
        client, "/v1/group", {"userId": "u-1", "groupId": group_id, "traits": {"name": "X"}}, secret
    )
    assert response.status_code == 200
    assert [reject["code"] for reject in response.json()["rejected"]] == ["invalid_id"]
    assert not Company.objects.exists()
    assert RejectedMessage.objects.get().code == "invalid_id"


@pytest.mark.parametrize("group_id", ["acme corp", "100%", "who?", "#1", "Ação", "a.b", "..a", "日本"])
def test_any_other_group_id_makes_a_reachable_company(client, secret, group_id, admin_user):
    response = post(
        client, "/v1/group", {"userId": "u-1", "groupId": group_id, "traits": {"name": "X"}}, secret
    )
    assert response.json()["rejected"] == []
    company = Company.objects.get(external_id=group_id)
    client.force_login(admin_user)
    assert client.get(company.get_absolute_url()).status_code == 200
    assert client.get(f"/api/v1/companies/{company.get_absolute_url().split('/')[-2]}/").status_code == 200


def test_a_company_id_property_no_company_can_have_is_not_used(client, secret):
    response = post(client, "/v1/track", track("m-1", properties={"company_id": "a/b"}), secret)
    assert response.json()["pending"] == 1
    assert PendingEvent.objects.get().group_id == ""  # waits for its user's company instead


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00Z", "1900-06-01T00:00:00Z", "1970-01-01T00:00:00Z"])
def test_timestamps_before_the_earliest_day_are_refused(client, secret, stamp):
    CompanyFactory(external_id="acme")
    response = post(client, "/v1/track", track("m-1", context={"groupId": "acme"}, timestamp=stamp), secret)
    assert [reject["code"] for reject in response.json()["rejected"]] == ["invalid_timestamp"]
    assert not Event.objects.exists()


def test_the_earliest_moment_itself_is_kept(client, secret, settings):
    CompanyFactory(external_id="acme")
    stamp = "2000-01-01T00:00:00Z"
    response = post(client, "/v1/track", track("m-1", context={"groupId": "acme"}, timestamp=stamp), secret)
    assert response.json()["stored"] == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="lock timeouts are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_locked_table_is_a_503_with_retry_after_and_nothing_stored(client, secret):
    """A table locked by someone else (a migration, a long job) stops the request at the lock timeout of
    web processes (config/wsgi.py), well before the worker timeout, instead of hanging it."""
    CompanyFactory(external_id="acme")
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        other = connections.create_connection("default")
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(f"LOCK TABLE {Event._meta.db_table} IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(30)
            cursor.execute("ROLLBACK")
        other.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    locked.wait(10)
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '1s'")  # what WAYPOINT_DB_LOCK_TIMEOUT sets for web processes
    try:
        batch = {"batch": [track(f"m-{n}", context={"groupId": "acme"}) for n in range(5)]}
        response = post(client, "/v1/batch", batch, secret)
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert response.json()["code"] == "unavailable"
    assert not Event.objects.exists()
