"""The Segment-compatible endpoints end to end (DESIGN §6, §8; reliability anchors ING-01…ING-10 and the
ingestion scenarios 1–8): Django's plain test client, so content types and encodings are exactly as sent
(PostHog's capture tests do the same)."""

from __future__ import annotations

import base64
import gzip
import io
import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError
from freezegun import freeze_time

from companies.models import Company, Contact, Event
from ingestion.models import PendingEvent, RejectedMessage
from ingestion.services.write_keys import write_key_create, write_key_revoke
from tests.factories import CompanyFactory, ContactFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def key():
    return write_key_create(name="Product", source="product")


def basic(secret: str, colon: bool = True) -> str:
    return "Basic " + base64.b64encode(f"{secret}{':' if colon else ''}".encode()).decode()


def post(client, path: str, body, secret: str | None = None, *, raw: bytes | None = None, **headers):
    data = raw if raw is not None else json.dumps(body).encode()
    headers.setdefault("content_type", "application/json")
    headers.setdefault("CONTENT_TYPE", headers["content_type"])  # the client drops it for an empty body
    if secret is not None:
        headers["HTTP_AUTHORIZATION"] = basic(secret)
    return client.generic("POST", path, data, **headers)


def track(message_id: str, event: str = "blog_viewed", **extra) -> dict:
    return {"type": "track", "messageId": message_id, "userId": "u-1", "event": event, **extra}


def names(company) -> list[str]:
    return list(Event.objects.filter(company=company).order_by("id").values_list("type__name", flat=True))


# --- Authentication (ING-02, scenario 5) ---------------------------------------------------------------------


@pytest.mark.parametrize("form", ["basic_with_colon", "basic_without_colon", "write_key_in_body"])
def test_each_form_of_the_write_key_is_accepted(client, key, form):
    _, secret = key
    company = CompanyFactory(external_id="acme")
    body = {"batch": [track("m-1", context={"groupId": "acme"})]}
    headers = {}
    if form == "write_key_in_body":
        body["writeKey"] = secret
    else:
        headers["HTTP_AUTHORIZATION"] = basic(secret, colon=form == "basic_with_colon")
    response = post(client, "/v1/batch", body, **headers)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "success": True, "received": 1, "stored": 1, "duplicates": 0, "pending": 0, "rejected": [],
    }  # fmt: skip
    assert names(company) == ["blog_viewed"]
    assert Event.objects.get().source == "product"


@pytest.mark.parametrize(
    "authorization",
    [None, basic("wk_not-a-key"), "Basic !!!not-base64!!!", "Bearer wk_whatever", "Basic "],
)
def test_a_missing_or_wrong_key_is_a_json_401_and_stores_nothing(client, key, authorization):
    CompanyFactory(external_id="acme")
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = post(client, "/v1/batch", {"batch": [track("m-1", context={"groupId": "acme"})]}, **headers)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_write_key"
    assert Event.objects.count() == 0


def test_a_revoked_key_is_refused_at_once(client, key):
    write_key, secret = key
    CompanyFactory(external_id="acme")
    write_key_revoke(key=write_key)
    response = post(client, "/v1/track", track("m-1", context={"groupId": "acme"}), secret)
    assert response.status_code == 401
    assert Event.objects.count() == 0


def test_a_key_revoked_elsewhere_stops_working_within_the_cache_time(client, key):
    from ingestion.models import WriteKey
    from ingestion.services import write_keys as ingestion

    write_key, secret = key
    CompanyFactory(external_id="acme")
    assert post(client, "/v1/track", track("m-1", context={"groupId": "acme"}), secret).status_code == 200
    WriteKey.objects.filter(pk=write_key.pk).update(revoked_at=NOW)  # as another process's admin would
    assert post(client, "/v1/track", track("m-2", context={"groupId": "acme"}), secret).status_code == 200
    later = time.monotonic() + ingestion.KEY_CACHE_SECONDS + 0.1
    with mock.patch("ingestion.services.write_keys.time.monotonic", return_value=later):
        assert post(client, "/v1/track", track("m-3", context={"groupId": "acme"}), secret).status_code == 401


def test_a_wrong_header_key_is_not_rescued_by_a_body_key(client, key):
    _, secret = key
    body = {"batch": [], "writeKey": secret}
    assert post(client, "/v1/batch", body, HTTP_AUTHORIZATION=basic("wk_wrong")).status_code == 401


def test_a_write_key_cannot_read_anything(client, key):
    _, secret = key
    CompanyFactory(external_id="acme")
    for path in ("/api/v1/companies/", "/api/v1/events/?company=acme", "/companies/", "/admin/"):
        response = client.get(path, HTTP_AUTHORIZATION=basic(secret))
        assert response.status_code in (302, 401, 403), path
        assert b"acme" not in response.content


def test_create_write_key_prints_the_secret_alone_on_its_last_line(client):
    out = io.StringIO()
    call_command("create_write_key", "--name", "Mobile app", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    assert secret.startswith("wk_") and " " not in secret
    CompanyFactory(external_id="acme")
    response = post(client, "/v1/track", track("m-1", context={"groupId": "acme"}), secret)
    assert response.status_code == 200
    assert Event.objects.get().source == "mobile-app"


def test_the_key_is_stored_hashed_and_its_use_recorded(client, key):
    write_key, secret = key
    write_key.refresh_from_db()
    assert secret not in (write_key.digest, write_key.prefix) and secret.startswith(write_key.prefix)
    assert write_key.last_used_at is None
    post(client, "/v1/batch", {"batch": []}, secret)
    write_key.refresh_from_db()
    assert write_key.last_used_at is not None


# --- Mapping: group, identify, track, page (DESIGN §6) -----------------------------------------------------


def test_group_creates_then_updates_the_company_from_its_traits(client, key):
    _, secret = key
    traits = {"name": "Acme Corp", "website": "https://acme.example/home", "plan": "Pro", "mrr": "1250.5"}
    response = post(client, "/v1/group", {"groupId": "acme", "userId": "u-1", "traits": traits}, secret)
    assert response.status_code == 200
    company = Company.objects.get(external_id="acme")
    assert (company.name, company.domain, company.plan, company.mrr) == (
        "Acme Corp", "acme.example", "Pro", Decimal("1250.50"),
    )  # fmt: skip
    assert company.lifecycle == "prospect"
    assert Contact.objects.get(external_id="u-1").company == company  # group links its user
    post(client, "/v1/group", {"groupId": "acme", "userId": "u-1", "traits": {"plan": "Enterprise",
                                                                               "mrr": "NaN"}}, secret)  # fmt: skip
    company.refresh_from_db()
    assert (company.name, company.plan, company.mrr) == ("Acme Corp", "Enterprise", Decimal("1250.50"))


def test_a_group_without_a_name_is_named_after_its_id(client, key):
    _, secret = key
    post(client, "/v1/group", {"groupId": "g-42", "anonymousId": "a-1"}, secret)
    assert Company.objects.get(external_id="g-42").name == "g-42"


def test_identify_upserts_the_contact_and_its_company(client, key):
    _, secret = key
    company = CompanyFactory(external_id="acme")
    body = {"userId": "u-7", "traits": {"email": "Ana@Acme.example", "firstName": "Ana", "lastName": "Lima",
                                        "title": "CMO", "company": {"id": "acme"}}}  # fmt: skip
    assert post(client, "/v1/identify", body, secret).status_code == 200
    contact = Contact.objects.get(external_id="u-7")
    assert (contact.email, contact.name, contact.title, contact.company) == (
        "Ana@Acme.example", "Ana Lima", "CMO", company,
    )  # fmt: skip
    post(
        client, "/v1/identify", {"userId": "u-7", "traits": {"title": "CEO", "email": "not an email"}}, secret
    )
    contact.refresh_from_db()
    assert (contact.email, contact.title) == ("Ana@Acme.example", "CEO")


def test_identify_adopts_a_contact_known_only_by_email(client, key):
    _, secret = key
    contact = ContactFactory(external_id="", email="bo@acme.example")
    post(client, "/v1/identify", {"userId": "u-9", "traits": {"email": "BO@acme.example"}}, secret)
    contact.refresh_from_db()
    assert contact.external_id == "u-9"
    assert Contact.objects.count() == 1


def test_events_are_attributed_by_group_then_company_id_then_the_contact(client, key):
    _, secret = key
    acme, globex, initech = (CompanyFactory(external_id=x) for x in ("acme", "globex", "initech"))
    ContactFactory(external_id="u-1", company=initech)
    batch = [
        track("m-1", "by_group", context={"groupId": "acme"}, properties={"company_id": "globex"}),
        track("m-2", "by_property", properties={"company_id": "globex"}),
        track("m-3", "by_contact"),
        {"type": "page", "messageId": "m-4", "userId": "u-1", "name": "Pricing"},
    ]
    response = post(client, "/v1/batch", {"batch": batch}, secret)
    assert response.json()["stored"] == 4
    assert (names(acme), names(globex), names(initech)) == (
        ["by_group"], ["by_property"], ["by_contact", "page_viewed"],
    )  # fmt: skip
    page = Event.objects.get(message_id="m-4")
    assert page.properties == {"name": "Pricing"} and page.contact.external_id == "u-1"


def test_an_identify_in_the_same_batch_attributes_the_events_after_it(client, key):
    _, secret = key
    company = CompanyFactory(external_id="acme")
    batch = [
        track("m-1", "trial_started", userId="u-new"),
        {"type": "identify", "messageId": "m-0", "userId": "u-new", "context": {"groupId": "acme"}},
    ]
    assert post(client, "/v1/batch", {"batch": batch}, secret).json()["stored"] == 1
    assert names(company) == ["trial_started"]


def test_unattributable_events_are_kept_and_released_by_a_later_group_call(client, key):
    _, secret = key
    response = post(client, "/v1/batch", {"batch": [track("m-1", userId="u-5"), track("m-2", userId="u-5")]},
                    secret)  # fmt: skip
    assert response.json() | {"rejected": None} == {
        "success": True, "received": 2, "stored": 0, "duplicates": 0, "pending": 2, "rejected": None,
    }  # fmt: skip
    assert PendingEvent.objects.count() == 2
    post(client, "/v1/group", {"groupId": "acme", "userId": "u-5", "traits": {"name": "Acme"}}, secret)
    company = Company.objects.get(external_id="acme")
    assert names(company) == ["blog_viewed", "blog_viewed"]
    assert PendingEvent.objects.count() == 0
    # A retry of the same batch is now attributed, and deduplicated against what was released.
    again = post(client, "/v1/batch", {"batch": [track("m-1", userId="u-5")]}, secret).json()
    assert (again["stored"], again["duplicates"]) == (0, 1)


def test_an_unknown_group_id_waits_for_its_company(client, key):
    _, secret = key
    ContactFactory(external_id="u-1")  # has a company, but the event names another one
    post(client, "/v1/track", track("m-1", context={"groupId": "not-yet"}), secret)
    assert PendingEvent.objects.get().group_id == "not-yet"
    post(client, "/v1/group", {"groupId": "not-yet", "anonymousId": "a-1"}, secret)
    assert names(Company.objects.get(external_id="not-yet")) == ["blog_viewed"]


def test_alias_and_anonymous_identify_are_accepted_and_ignored(client, key):
    _, secret = key
    batch = [
        {"type": "alias", "previousId": "a-1", "userId": "u-1"},
        {"type": "identify", "anonymousId": "a-1", "traits": {"name": "Nobody"}},
    ]
    response = post(client, "/v1/batch", {"batch": batch}, secret)
    assert response.status_code == 200 and response.json()["rejected"] == []
    assert Contact.objects.count() == 0


# --- Partial failures and deduplication (ING-05, ING-06, scenarios 1 and 2) -----------------------------


def test_a_batch_of_100_with_3_invalid_messages_stores_97_and_records_3_reasons(client, key):
    _, secret = key
    company = CompanyFactory(external_id="acme")
    batch = [track(f"m-{i:03d}", context={"groupId": "acme"}) for i in range(100)]
    del batch[10]["userId"]
    del batch[20]["event"]
    batch[30]["messageId"] = "x" * 150
    response = post(client, "/v1/batch", {"batch": batch}, secret)
    assert response.status_code == 200
    body = response.json()
    assert (body["stored"], body["received"]) == (97, 100)
    assert [(r["index"], r["code"]) for r in body["rejected"]] == [
        (10, "no_user_anon_id"), (20, "no_event"), (30, "invalid_message_id"),
    ]  # fmt: skip
    assert Event.objects.filter(company=company).count() == 97
    rejects = list(RejectedMessage.objects.order_by("id").values_list("code", "message_id", "source", "type"))
    assert rejects == [
        ("no_user_anon_id", "m-010", "product", "track"),
        ("no_event", "m-020", "product", "track"),
        ("invalid_message_id", "x" * 100, "product", "track"),
    ]


def test_a_retried_batch_stores_nothing_new(client, key):
    _, secret = key
    CompanyFactory(external_id="acme")
    body = {"batch": [track(f"m-{i}", context={"groupId": "acme"}) for i in range(5)]}
    first = post(client, "/v1/batch", body, secret).json()
    second = post(client, "/v1/batch", body, secret).json()
    assert (first["stored"], first["duplicates"]) == (5, 0)
    assert (second["stored"], second["duplicates"]) == (0, 5)
    assert Event.objects.count() == 5


def test_the_same_message_id_twice_in_one_batch_is_stored_once(client, key):
    _, secret = key
    CompanyFactory(external_id="acme")
    body = {"batch": [track("m-1", context={"groupId": "acme"})] * 2}
    assert post(client, "/v1/batch", body, secret).json()["stored"] == 1


def test_message_ids_are_deduplicated_per_source(client, key):
    _, secret = key
    _, other = write_key_create(name="Web", source="web")
    CompanyFactory(external_id="acme")
    body = {"batch": [track("m-1", context={"groupId": "acme"})]}
    post(client, "/v1/batch", body, secret)
    post(client, "/v1/batch", body, other)
    assert sorted(Event.objects.values_list("source", flat=True)) == ["product", "web"]


def test_a_message_without_a_message_id_gets_one(client, key):
    _, secret = key
    CompanyFactory(external_id="acme")
    message = track("", context={"groupId": "acme"})
    del message["messageId"]
    post(client, "/v1/track", message, secret)
    assert len(Event.objects.get().message_id) == 36  # a uuid4: no deduplication possible


# --- Malformed and oversized requests (ING-03, ING-04, scenarios 3 and 4) --------------------------------


@pytest.mark.parametrize(
    ("raw", "content_type", "code"),
    [
        (b'{"batch": [', "application/json", "invalid_json"),
        (b"[]", "application/json", "invalid_body"),
        (b'{"batch": "nope"}', "application/json", "invalid_body"),
        (b'{"batch": []}', "text/plain", "unsupported_media_type"),
        (b"", "application/json", "invalid_json"),
        (b"\xff\xfe", "application/json", "invalid_json"),
    ],
)
def test_a_malformed_request_is_a_json_400_and_stores_nothing(client, key, raw, content_type, code):
    _, secret = key
    response = post(client, "/v1/batch", None, secret, raw=raw, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["message"]
    assert Event.objects.count() == RejectedMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("path", "field", "value", "message"),
    [
        ("/v1/batch", "writeKey", 7, "`writeKey` must be a string."),
        ("/v1/track", "writeKey", None, "`writeKey` must be a string."),
        ("/v1/batch", "context", ["groupId", "acme"], "`context` must be an object."),
        ("/v1/batch", "integrations", "all", "`integrations` must be an object."),
        ("/v1/batch", "sentAt", 1_795_000_000, "`sentAt` must be a string (ISO 8601)."),
    ],
)
def test_a_request_field_of_the_wrong_type_is_a_400_and_stores_nothing(
    client, key, path, field, value, message
):
    """The request's own fields, as the schema types them; a message's are checked one by one (rejected)."""
    _, secret = key
    CompanyFactory(external_id="acme")
    call = track("m-1", context={"groupId": "acme"})
    body = {"batch": [call]} if path == "/v1/batch" else call
    response = post(client, path, {**body, field: value}, secret)
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_body", "message": message}
    assert Event.objects.count() == RejectedMessage.objects.count() == 0


def test_a_batch_sent_at_that_cannot_be_read_is_ignored(client, key):
    _, secret = key
    CompanyFactory(external_id="acme")
    body = {"batch": [track("m-1", context={"groupId": "acme"})], "sentAt": "yesterday"}
    assert post(client, "/v1/batch", body, secret).json()["stored"] == 1


def _batch_bytes(size: int) -> bytes:
    """A batch body of exactly `size` bytes (one message padded)."""
    head = json.dumps({"batch": [track("m-1", context={"groupId": "acme"}, properties={"pad": ""})]})
    padding = size - len(head)
    return head.replace('"pad": ""', '"pad": "' + "x" * padding + '"').encode()


def test_the_500_kb_limit_is_on_the_body(client, key):
    _, secret = key
    CompanyFactory(external_id="acme")
    # 499 KB of one message is over the 32 KB message limit: the request is read, the message rejected.
    under = post(client, "/v1/batch", None, secret, raw=_batch_bytes(499 * 1024))
    assert under.status_code == 200 and under.json()["rejected"][0]["code"] == "too_large"
    over = post(client, "/v1/batch", None, secret, raw=_batch_bytes(501 * 1024))
    assert over.status_code == 400 and over.json()["code"] == "too_large"


def test_a_33_kb_event_is_rejected_alone(client, key):
    _, secret = key
    CompanyFactory(external_id="acme")
    batch = [track("m-big", context={"groupId": "acme"}, properties={"x": "y" * 33 * 1024}),
             track("m-ok", context={"groupId": "acme"})]  # fmt: skip
    body = post(client, "/v1/batch", {"batch": batch}, secret).json()
    assert body["stored"] == 1 and body["rejected"][0]["code"] == "too_large"


def test_more_than_2500_messages_is_a_400(client, key):
    _, secret = key
    batch = [{"type": "track"}] * 2501
    response = post(client, "/v1/batch", {"batch": batch}, secret)
    assert response.status_code == 400 and response.json()["code"] == "too_many"


def test_a_gzip_body_is_read(client, key):
    _, secret = key
    company = CompanyFactory(external_id="acme")
    raw = gzip.compress(json.dumps({"batch": [track("m-1", context={"groupId": "acme"})]}).encode())
    response = post(client, "/v1/batch", None, secret, raw=raw, HTTP_CONTENT_ENCODING="gzip")
    assert response.status_code == 200
    assert names(company) == ["blog_viewed"]


@pytest.mark.parametrize(
    ("make", "encoding", "code"),
    [
        (lambda: gzip.compress(b"{" + b" " * 50_000_000 + b"}"), "gzip", "too_large"),  # ~50 KB → 50 MB
        (lambda: b"\x1f\x8b\x08\x00garbage", "gzip", "invalid_gzip"),
        (lambda: gzip.compress(b'{"batch": []}')[:-6], "gzip", "invalid_gzip"),  # truncated
        (lambda: b'{"batch": []}', "br", "unsupported_encoding"),
    ],
    ids=["bomb", "corrupt", "truncated", "brotli"],
)
def test_bad_compression_is_a_400(client, key, make, encoding, code):
    _, secret = key
    raw = make()
    response = post(client, "/v1/batch", None, secret, raw=raw, HTTP_CONTENT_ENCODING=encoding)
    assert response.status_code == 400 and response.json()["code"] == code


def test_get_is_a_json_405_and_a_trailing_slash_is_not_redirected(client, key):
    _, secret = key
    response = client.get("/v1/batch")
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert post(client, "/v1/batch/", {"batch": []}, secret).status_code == 200


# --- Hostile strings (ING-10, scenario 6) ------------------------------------------------------------------


def test_nul_and_lone_surrogates_never_cause_a_500(client, key):
    _, secret = key
    company = CompanyFactory(external_id="acme")
    batch = [
        track("m-1", userId="a\x00b", context={"groupId": "acme"}),
        track("m-2", context={"groupId": "acme"}, properties={"a": "x\x00y", "b": "\ud800z", "k\x00": 1}),
        track("m-3", context={"groupId": "acme"}, properties={"big": 1e309}),
    ]
    raw = json.dumps({"batch": batch}).encode()  # \u0000 and \ud800 escapes, as SDKs send them
    response = post(client, "/v1/batch", None, secret, raw=raw)
    assert response.status_code == 200
    assert [r["code"] for r in response.json()["rejected"]] == ["invalid_characters"]
    stored = {e.message_id: e.properties for e in Event.objects.filter(company=company)}
    assert stored == {"m-2": {"a": "xy", "b": "\ufffdz", "k": 1}, "m-3": {"big": None}}


def test_deep_nesting_rejects_the_message_or_the_request(client, key):
    _, secret = key
    CompanyFactory(external_id="acme")
    nested = {}
    for _ in range(30):
        nested = {"n": nested}
    body = post(client, "/v1/batch", {"batch": [track("m-1", context={"groupId": "acme"},
                                                       properties=nested)]}, secret).json()  # fmt: skip
    assert body["rejected"][0]["code"] == "too_deep"
    raw = b'{"batch": [' + b"[" * 10_000 + b"]" * 10_000 + b"]}"
    response = post(client, "/v1/batch", None, secret, raw=raw)
    assert response.status_code == 400 and response.json()["code"] == "too_deep"


def test_a_script_as_event_name_is_stored_and_shown_escaped(client, key, admin_user):
    _, secret = key
    company = CompanyFactory(external_id="acme")
    name = "</script><script>alert(1)</script>"
    post(client, "/v1/track", track("m-1", name, context={"groupId": "acme"}), secret)
    assert names(company) == [name]
    client.force_login(admin_user)
    page = client.get(f"/companies/{company.external_id}/events/")
    assert page.status_code == 200
    assert name.encode() not in page.content
    assert b"&lt;/script&gt;&lt;script&gt;alert(1)" in page.content


# --- Time (ING-08, scenario 7) -----------------------------------------------------------------------------


@freeze_time(NOW)
@pytest.mark.parametrize(
    ("message", "stored_at", "clamped"),
    [
        ({}, NOW, False),  # no timestamp: the receipt time
        ({"timestamp": "2026-11-20T11:30:00Z"}, NOW - timedelta(minutes=30), False),
        # The client's clock is 3 h slow: sentAt says 09:00 when we receive at 12:00 → add 3 h.
        (
            {"timestamp": "2026-11-20T08:30:00Z", "sentAt": "2026-11-20T09:00:00Z"},
            NOW - timedelta(minutes=30),
            False,
        ),
        # Under a minute of difference is network time, not skew.
        (
            {"timestamp": "2026-11-20T11:30:00Z", "sentAt": "2026-11-20T11:59:30Z"},
            NOW - timedelta(minutes=30),
            False,
        ),
        # A year ahead, no sentAt to correct it: clamped to the receipt time and flagged.
        ({"timestamp": "2027-11-20T12:00:00Z"}, NOW, True),
        ({"timestamp": "2026-11-20T12:04:59Z"}, NOW + timedelta(minutes=4, seconds=59), False),
        ({"timestamp": "2026-03-29T02:30:00+02:00"}, datetime(2026, 3, 29, 0, 30, tzinfo=UTC), False),
    ],
)
def test_timestamps_are_corrected_and_clamped(client, key, message, stored_at, clamped):
    _, secret = key
    CompanyFactory(external_id="acme")
    response = post(client, "/v1/track", track("m-1", context={"groupId": "acme"}, **message), secret)
    assert response.status_code == 200
    event = Event.objects.get()
    assert event.occurred_at == stored_at
    assert event.properties.get("_timestamp_clamped", False) is clamped


@freeze_time(NOW)
def test_batch_sent_at_corrects_every_message(client, key):
    _, secret = key
    CompanyFactory(external_id="acme")
    body = {"batch": [track("m-1", context={"groupId": "acme"}, timestamp="2026-11-21T11:00:00Z")],
            "sentAt": "2026-11-21T12:00:00Z"}  # the client's clock is a day fast  # fmt: skip
    post(client, "/v1/batch", body, secret)
    assert Event.objects.get().occurred_at == NOW - timedelta(hours=1)


def test_an_unreadable_timestamp_rejects_the_message(client, key):
    _, secret = key
    CompanyFactory(external_id="acme")
    body = post(client, "/v1/track", track("m-1", context={"groupId": "acme"}, timestamp="yesterday"), secret)
    assert body.json()["rejected"][0]["code"] == "invalid_timestamp"


# --- Durability (ING-07, scenario 8) -----------------------------------------------------------------------


def test_database_down_is_a_503_with_retry_after_and_nothing_committed(client, key):
    _, secret = key
    CompanyFactory(external_id="acme")
    body = {"batch": [track(f"m-{i}", context={"groupId": "acme"}) for i in range(3)]}
    # The failure comes after the events were written in the request's transaction: all of it rolls back.
    with mock.patch("ingestion.services.segment.pending_release", side_effect=OperationalError("gone")):
        response = post(client, "/v1/batch", body, secret)
    assert response.status_code == 503
    assert response["Retry-After"] == "10" and response.json()["code"] == "unavailable"
    assert Event.objects.count() == 0
    retry = post(client, "/v1/batch", body, secret)  # the SDK retries later: stored once
    assert retry.json()["stored"] == 3 and Event.objects.count() == 3


def test_scoring_is_asked_for_after_the_commit_only(client, key, django_capture_on_commit_callbacks):
    _, secret = key
    CompanyFactory(external_id="acme")
    body = {"batch": [track("m-1", context={"groupId": "acme"})]}
    with (
        mock.patch("journey.tasks.score_journeys_task.apply_async") as kick,
        django_capture_on_commit_callbacks(execute=True),
    ):
        post(client, "/v1/batch", body, secret)
        post(client, "/v1/batch", body, secret)  # nothing new: no second kick
    kick.assert_called_once()
    with (
        mock.patch("journey.tasks.score_journeys_task.apply_async") as kick,
        mock.patch("ingestion.services.segment.pending_release", side_effect=OperationalError("gone")),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        post(client, "/v1/batch", {"batch": [track("m-2", context={"groupId": "acme"})]}, secret)
    assert callbacks == [] and not kick.called


def test_a_batch_of_100_takes_a_fixed_number_of_queries(client, key, django_assert_max_num_queries):
    _, secret = key
    CompanyFactory(external_id="acme")
    ContactFactory(external_id="u-1")
    batch = [track(f"m-{i}", f"event_{i % 7}", context={"groupId": "acme"}) for i in range(100)]
    post(client, "/v1/batch", {"batch": batch[:1]}, secret)  # event types and the key's last use, once
    with django_assert_max_num_queries(12):
        assert post(client, "/v1/batch", {"batch": batch}, secret).json()["stored"] == 99


# --- Admin -----------------------------------------------------------------------------------------------------


def test_admin_shows_rejects_and_creates_keys_showing_the_secret_once(client, key, admin_user):
    _, secret = key
    post(client, "/v1/batch", {"batch": [{"type": "track", "messageId": "m-bad", "event": "x"}]}, secret)
    client.force_login(admin_user)
    page = client.get("/admin/ingestion/rejectedmessage/")
    assert page.status_code == 200 and b"no_user_anon_id" in page.content and b"m-bad" in page.content
    response = client.post(
        "/admin/ingestion/writekey/add/", {"name": "Web app", "source": "web"}, follow=True
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    new_secret = shown[0].rsplit(" ", 1)[-1]
    assert new_secret.startswith("wk_")
    CompanyFactory(external_id="acme")
    assert post(client, "/v1/track", track("m-1", context={"groupId": "acme"}), new_secret).status_code == 200
