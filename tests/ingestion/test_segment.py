"""Reading Segment requests (journey/ingest.py): the body's limits, and each message's rules, ids, strings and
time. Pure functions: no database."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

import pytest

from ingestion.segment import (
    MAX_BODY,
    MAX_MESSAGES,
    Refused,
    body_read,
    message_read,
    messages_of,
    moment_parse,
)

RECEIVED = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
JSON = "application/json"


def read(item, *, sent_at=None):
    return message_read(item, received_at=RECEIVED, sent_at=sent_at, earliest=EARLIEST)


def track(**extra):
    return {"type": "track", "event": "demo_requested", "userId": "u1", "messageId": "m1", **extra}


class TestBody:
    def test_a_json_object_is_read(self):
        assert body_read(b'{"batch": []}', content_type="application/json; charset=utf-8") == {"batch": []}

    @pytest.mark.parametrize(
        ("raw", "content_type", "code"),
        [
            (b'{"batch": [', JSON, "invalid_json"),
            (b"", JSON, "invalid_json"),
            (b"[1, 2]", JSON, "invalid_body"),
            (b'{"batch": []}', "text/plain", "unsupported_media_type"),
            (b"[" * 100_000 + b"]" * 100_000, JSON, "too_deep"),
        ],
    )
    def test_a_bad_body_is_refused_with_a_code(self, raw, content_type, code):
        with pytest.raises(Refused) as refused:
            body_read(raw, content_type=content_type)
        assert refused.value.code == code

    def test_500_kb_is_the_limit(self):
        padding = "x" * (MAX_BODY - len('{"p": ""}'))
        assert body_read(json.dumps({"p": padding}).encode(), content_type=JSON)
        with pytest.raises(Refused) as refused:
            body_read(json.dumps({"p": padding + "x"}).encode(), content_type=JSON)
        assert refused.value.code == "too_large"

    def test_gzip_is_inflated(self):
        raw = gzip.compress(b'{"batch": [{"type": "track"}]}')
        assert body_read(raw, content_type=JSON, content_encoding="gzip") == {"batch": [{"type": "track"}]}

    def test_a_gzip_bomb_stops_at_the_limit(self):
        bomb = gzip.compress(b"{" + b" " * (200 * 1024 * 1024) + b"}")  # 200 MB of JSON in ~200 KB
        assert len(bomb) < MAX_BODY
        with pytest.raises(Refused) as refused:
            body_read(bomb, content_type=JSON, content_encoding="gzip")
        assert refused.value.code == "too_large"

    @pytest.mark.parametrize(
        ("raw", "encoding", "code"),
        [
            (b"not gzip at all", "gzip", "invalid_gzip"),
            (gzip.compress(b'{"batch": []}', mtime=0)[:-10], "gzip", "invalid_gzip"),
            (b'{"batch": []}', "br", "unsupported_encoding"),
        ],
    )
    def test_corrupt_or_unknown_encodings_are_refused(self, raw, encoding, code):
        with pytest.raises(Refused) as refused:
            body_read(raw, content_type=JSON, content_encoding=encoding)
        assert refused.value.code == code


class TestMessages:
    def test_a_single_call_is_one_message_of_its_type(self):
        assert messages_of({"userId": "u1", "event": "x"}, "track") == [
            {"userId": "u1", "event": "x", "type": "track"}
        ]

    def test_batch_context_is_merged_into_each_message_whose_own_keys_win(self):
        body = {
            "batch": [track(), track(messageId="m2", context={"groupId": "acme", "ip": "10.0.0.1"})],
            "context": {"groupId": "globex", "library": {"name": "analytics-python"}},
        }
        first, second = messages_of(body, "batch")
        assert first["context"] == {"groupId": "globex", "library": {"name": "analytics-python"}}
        assert second["context"] == {
            "groupId": "acme",
            "ip": "10.0.0.1",
            "library": {"name": "analytics-python"},
        }

    def test_a_batch_must_be_a_list_of_at_most_2500(self):
        with pytest.raises(Refused) as refused:
            messages_of({"batch": "nope"}, "batch")
        assert refused.value.code == "invalid_body"
        assert len(messages_of({"batch": [{}] * MAX_MESSAGES}, "batch")) == MAX_MESSAGES
        with pytest.raises(Refused) as refused:
            messages_of({"batch": [{}] * (MAX_MESSAGES + 1)}, "batch")
        assert refused.value.code == "too_many"


class TestMessageRules:
    def test_a_track_call(self):
        message = read(track(timestamp="2026-03-01T09:30:00.123Z", properties={"company_id": "acme", "n": 2}))
        assert (message.type, message.event, message.message_id, message.user_id) == (
            "track",
            "demo_requested",
            "m1",
            "u1",
        )
        assert message.occurred_at == datetime(2026, 3, 1, 9, 30, 0, 123000, tzinfo=UTC)
        assert (message.company_hint, message.properties, message.future) == (
            "acme",
            {"company_id": "acme", "n": 2},
            False,
        )

    @pytest.mark.parametrize(
        ("item", "code"),
        [
            ({"type": "track", "event": "x", "messageId": "m"}, "no_user_anon_id"),
            ({"type": "track", "userId": "u", "messageId": "m"}, "no_event"),
            ({"type": "track", "event": "x", "userId": "u", "messageId": "m" * 101}, "invalid_message_id"),
            ({"type": "group", "userId": "u"}, "no_group_id"),
            ({"type": "alias", "userId": "u"}, "no_previous_id"),
            ({"type": "launch", "userId": "u"}, "invalid_type"),
            ("not an object", "invalid_message"),
            ({"type": "track", "event": "x", "userId": "a\x00b"}, "invalid_characters"),
            ({"type": "track", "event": "x", "anonymousId": "\ud800"}, "invalid_characters"),
            ({"type": "track", "event": "x", "userId": "u", "properties": ["a"]}, "invalid_properties"),
            ({"type": "track", "event": "x", "userId": "u", "timestamp": "yesterday"}, "invalid_timestamp"),
            ({"type": "track", "event": "x", "userId": "u", "properties": {"p": "x" * 33_000}}, "too_large"),
        ],
    )
    def test_a_message_breaking_a_rule_is_rejected_with_its_reason(self, item, code):
        with pytest.raises(Refused) as rejected:
            read(item)
        assert rejected.value.code == code

    def test_deep_nesting_rejects_the_message(self):
        deep: dict = {}
        for _ in range(30):
            deep = {"d": deep}
        with pytest.raises(Refused) as rejected:
            read(track(properties=deep))
        assert rejected.value.code == "too_deep"

    def test_numbers_are_ids_too_and_a_missing_message_id_is_generated(self):
        message = read({"type": "identify", "userId": 42, "traits": {"email": "a@b.example"}})
        assert message.user_id == "42" and len(message.message_id) == 36
        assert message.traits == {"email": "a@b.example"}

    def test_nul_is_removed_and_lone_surrogates_replaced_inside_properties(self):
        message = read(track(properties={"a": "x\x00y", "b\x00": ["\ud800z"], "c": float("inf")}))
        assert message.properties == {"a": "xy", "b": ["\ufffdz"], "c": None}

    def test_pages_and_screens_are_viewed_events(self):
        message = read({"type": "page", "userId": "u", "name": "Pricing", "properties": {"url": "/pricing"}})
        assert (message.event, message.properties) == ("page_viewed", {"url": "/pricing", "name": "Pricing"})
        assert read({"type": "screen", "anonymousId": "a"}).event == "screen_viewed"

    def test_the_group_comes_from_the_call_or_its_context(self):
        assert read({"type": "group", "userId": "u", "groupId": "acme"}).group_id == "acme"
        assert read(track(context={"groupId": "globex"})).group_id == "globex"


class TestTime:
    def test_no_timestamp_means_the_receipt_time(self):
        assert read(track()).occurred_at == RECEIVED

    def test_a_naive_timestamp_is_utc_and_original_timestamp_is_a_fallback(self):
        assert read(track(originalTimestamp="2026-03-01T08:00:00")).occurred_at == datetime(
            2026, 3, 1, 8, tzinfo=UTC
        )

    def test_a_clock_three_hours_behind_is_corrected_with_sent_at(self):
        sent_at = RECEIVED - timedelta(hours=3)  # the client's clock reads 09:00 when it is 12:00
        message = read(track(timestamp="2026-03-02T08:50:00Z"), sent_at=sent_at)
        assert message.occurred_at == datetime(2026, 3, 2, 11, 50, tzinfo=UTC)

    def test_latency_under_a_minute_is_not_a_skew(self):
        sent_at = RECEIVED - timedelta(seconds=59)
        message = read(track(timestamp="2026-03-02T11:00:00Z"), sent_at=sent_at)
        assert message.occurred_at == datetime(2026, 3, 2, 11, tzinfo=UTC)

    def test_a_future_moment_is_clamped_to_the_receipt_and_flagged(self):
        message = read(track(timestamp="2027-03-02T12:00:00Z"))
        assert (message.occurred_at, message.future) == (RECEIVED, True)
        near = read(track(timestamp="2026-03-02T12:05:00Z"))
        assert (near.occurred_at, near.future) == (RECEIVED + timedelta(minutes=5), False)


def test_a_message_context_that_is_not_an_object_is_left_alone():
    body = {"batch": [{"type": "track", "context": ["x"]}, {"type": "track"}], "context": {"groupId": "acme"}}
    first, second = messages_of(body, "batch")
    assert first["context"] == ["x"] and second["context"] == {"groupId": "acme"}


@pytest.mark.parametrize("kind", [{"a": 1}, ["track"], 7, None])
def test_a_type_that_is_not_a_string_is_rejected(kind):
    with pytest.raises(Refused) as rejected:
        message_read({"type": kind, "userId": "u"}, received_at=RECEIVED, sent_at=None, earliest=EARLIEST)
    assert rejected.value.code == "invalid_type"


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-03-02T10:00:00-23:01", datetime(2026, 3, 3, 9, 1, tzinfo=UTC)),
        ("0001-01-01T00:30:00+01:00", None),  # year 0 in UTC
        ("2026-03-02T10:00:00", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),
    ],
)
def test_moments_are_read_in_utc(text, moment):
    assert moment_parse(text) == moment
