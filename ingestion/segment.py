"""Reading what Segment SDKs send (DESIGN §6, §8): the request body within its limits, then each message
checked and normalised. Plain functions, no database: the ingestion service stores what they return.

Problems raise Refused with a code and a message. Raised while reading the request (body_read,
messages_of), it refuses the whole request: the view answers 400 with {"code", "message"} and stores
nothing. Raised by message_read, it refuses that message only; the rest of the batch is kept.

Limits are Segment's: 500 KB per request after decompression, 32 KB per message, 2,500 messages per batch
(more is a 400 here, not Segment's silent drop, so the sender learns). Oversize is 400, not 413: Segment
SDKs retry a 413 forever.

Time: `timestamp` (or `originalTimestamp`) is when it happened on the client's clock. When `sentAt` is
given and the client's clock is off by more than a minute (the gap between `sentAt` and the moment we
received the request), the gap is added back, as Segment does; under a minute is network latency and left
alone. A moment still more than five minutes in the future is clamped to the receipt time and flagged, so
a bad clock cannot make an account look active tomorrow. A moment before the earliest day Waypoint keeps
(WAYPOINT_EARLIEST_DAY) is refused. No timestamp: the receipt time."""

from __future__ import annotations

import json
import re
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from companies.ids import external_id_problem

MAX_BODY = 500 * 1024
MAX_MESSAGE = 32 * 1024
MAX_MESSAGES = 2500
MAX_MESSAGE_ID = 100
MAX_NAME = 200
MAX_ID = 255  # userId, anonymousId, groupId: the length of external ids
MAX_DEPTH = 20
SKEW_TOLERANCE = timedelta(minutes=1)
FUTURE_TOLERANCE = timedelta(minutes=5)
TYPES = frozenset({"identify", "track", "page", "screen", "group", "alias"})

_UNSAFE = re.compile("[\x00\ud800-\udfff]")  # PostgreSQL text refuses NUL; UTF-8 refuses lone surrogates


class Refused(Exception):
    """Why a request, or one of its messages, cannot be stored: a machine-readable code and a sentence."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


# --- The request body ------------------------------------------------------------------------------------


def body_read(raw: bytes, *, content_type: str, content_encoding: str = "") -> dict:
    """The JSON object of a request, or Refused. Memory stays bounded: a gzip body is inflated at most
    to the limit, however far it would go."""
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise Refused("unsupported_media_type", "Send JSON with Content-Type: application/json.")
    encoding = content_encoding.strip().lower()
    if encoding == "gzip":
        raw = _gunzip(raw)
    elif encoding not in ("", "identity"):
        raise Refused("unsupported_encoding", f"Content-Encoding {encoding!r} is not supported; use gzip.")
    if len(raw) > MAX_BODY:
        raise Refused("too_large", f"The body is over {MAX_BODY // 1024} KB.")
    if not raw.strip():
        raise Refused("invalid_json", "The body is empty.")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        # orjson refuses what SDKs may still send: lone surrogates, 1e309, NaN, nesting past 1,024. The
        # standard parser reads those (the message checks deal with them); a real error fails both.
        try:
            body = json.loads(raw)
        except RecursionError:
            raise Refused("too_deep", "The body is nested too deeply to read.") from None
        except ValueError:
            raise Refused("invalid_json", "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise Refused("invalid_body", "The body must be a JSON object.")
    return body


def _gunzip(raw: bytes) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(raw, MAX_BODY + 1)
    except zlib.error:
        raise Refused("invalid_gzip", "The gzip body is corrupt.") from None
    if len(out) > MAX_BODY or inflater.unconsumed_tail:
        raise Refused("too_large", f"The body inflates to over {MAX_BODY // 1024} KB.")
    if not inflater.eof:
        raise Refused("invalid_gzip", "The gzip body is truncated.")
    return out


def messages_of(body: dict, kind: str) -> list:
    """The messages of a request: the `batch` list of /v1/batch, with the batch's `context` and
    `integrations` merged into each (the message's own keys win), or the body itself for /v1/<type>."""
    if kind != "batch":
        return [{**body, "type": kind}]
    batch = body.get("batch")
    if not isinstance(batch, list):
        raise Refused("invalid_body", "`batch` must be a list of messages.")
    if len(batch) > MAX_MESSAGES:
        raise Refused("too_many", f"A batch holds at most {MAX_MESSAGES:,} messages.")
    # The batch's own fields apply to every message: one of the wrong type refuses the request rather than
    # being dropped unnoticed.
    for key in ("context", "integrations"):
        if key in body and not isinstance(body[key], dict):
            raise Refused("invalid_body", f"`{key}` must be an object.")
    if "sentAt" in body and not isinstance(body["sentAt"], str):
        raise Refused("invalid_body", "`sentAt` must be a string (ISO 8601).")
    shared = {key: body[key] for key in ("context", "integrations") if isinstance(body.get(key), dict)}
    if not shared:
        return batch
    merged = []
    for item in batch:
        if isinstance(item, dict):
            own: dict[str, Any] = {key: item.get(key) for key in shared}
            item = {
                **item,
                **{key: {**value, **own[key]} if isinstance(own[key], dict) else value
                   for key, value in shared.items() if own[key] is None or isinstance(own[key], dict)},
            }  # fmt: skip
        merged.append(item)
    return merged


# --- One message -------------------------------------------------------------------------------------------


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs ~4 µs, a hundred times a request
class Message:
    type: str
    message_id: str
    user_id: str
    anonymous_id: str
    occurred_at: datetime
    future: bool  # the client said it happened in the future; clamped to the receipt time
    event: str = ""  # track: the event name; page/screen: "page_viewed" / "screen_viewed"
    properties: dict = field(default_factory=dict)
    traits: dict = field(default_factory=dict)
    group_id: str = ""  # group's groupId, or the context's groupId for the others
    company_hint: str = ""  # properties.company_id: which company a track/page belongs to
    session_id: str = ""


def message_read(item, *, received_at: datetime, sent_at: datetime | None, earliest: datetime) -> Message:
    """One message, checked against Segment's rules and made safe to store, or Refused."""
    if not isinstance(item, dict):
        raise Refused("invalid_message", "A message must be a JSON object.")
    try:
        size = len(orjson.dumps(item))
    except orjson.JSONEncodeError:  # lone surrogates, or nesting orjson won't follow
        try:
            size = len(json.dumps(item, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        except RecursionError:
            raise Refused("too_deep", f"The message is nested more than {MAX_DEPTH} levels deep.") from None
    if size > MAX_MESSAGE:
        raise Refused("too_large", f"The message is over {MAX_MESSAGE // 1024} KB.")
    kind = item.get("type")
    if not isinstance(kind, str) or kind not in TYPES:
        raise Refused("invalid_type", f"type must be one of {', '.join(sorted(TYPES))}.")
    user_id, anonymous_id = _id(item, "userId"), _id(item, "anonymousId")
    if not user_id and not anonymous_id:
        raise Refused("no_user_anon_id", "A message needs a userId or an anonymousId.")
    message_id = _id(item, "messageId")
    context = item["context"] if isinstance(item.get("context"), dict) else {}
    properties = _clean(item.get("properties") or {}, "properties")
    traits = _clean(item.get("traits") or context.get("traits") or {}, "traits")
    if not isinstance(properties, dict) or not isinstance(traits, dict):
        raise Refused("invalid_properties", "properties and traits must be JSON objects.")
    event = ""
    if kind == "track":
        event = _id(item, "event")
        if not event:
            raise Refused("no_event", "A track call needs an event name.")
        if len(event) > MAX_NAME:
            raise Refused("invalid_event", f"The event name is over {MAX_NAME} characters.")
    elif kind in ("page", "screen"):
        event = f"{kind}_viewed"
        if isinstance(item.get("name"), str) and "name" not in properties:
            properties["name"] = _clean(item["name"], "name")
    group_id = _id(item, "groupId") or _id(context, "groupId")
    if group_id and (problem := external_id_problem(group_id)):
        raise Refused("invalid_id", f"groupId: {problem}")
    if kind == "group" and not group_id:
        raise Refused("no_group_id", "A group call needs a groupId.")
    if kind == "alias" and not _id(item, "previousId"):
        raise Refused("no_previous_id", "An alias call needs a previousId.")
    occurred_at, future = _when(item, received_at, sent_at, earliest)
    return Message(
        type=kind,
        message_id=message_id or str(uuid.uuid4()),
        user_id=user_id,
        anonymous_id=anonymous_id,
        occurred_at=occurred_at,
        future=future,
        event=event,
        properties=properties,
        traits=traits,
        group_id=group_id,
        company_hint=company_key(properties.get("company_id")),
        session_id=session_id_of(properties),
    )


def company_key(value) -> str:
    """A company's external id named in properties or traits (`company_id`), or "" when the value is
    none or one no company can have (companies/ids.py): then the event is attributed another way."""
    key = _text(value) if isinstance(value, str | int) else ""
    return key if key and external_id_problem(key) is None else ""


def session_id_of(properties: dict) -> str:
    """The session an event belongs to, from `properties.session_id` (scoring counts sessions)."""
    return _text(properties.get("session_id"))[:100]


def _text(value) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return value.strip() if isinstance(value, str) else ""


def _id(source: dict, key: str) -> str:
    """An identifier: a string or a number (SDKs send both), never with NUL or lone surrogates."""
    value = source.get(key)
    if value is None:
        return ""
    value = value.strip() if type(value) is str else _text(value)
    if "\x00" in value or (not value.isascii() and _UNSAFE.search(value)):
        raise Refused("invalid_characters", f"{key} holds a NUL character or a lone surrogate.")
    limit, code = (MAX_MESSAGE_ID, "invalid_message_id") if key == "messageId" else (MAX_ID, "invalid_id")
    if len(value) > limit:
        raise Refused(code, f"{key} is over {limit} characters.")
    return value


def text_safe(value: str) -> str:
    """A string PostgreSQL accepts: NUL removed, lone surrogates replaced by U+FFFD."""
    if value.isascii() and "\x00" not in value:
        return value  # the common case, without the regex: this runs for every string of every event
    return _UNSAFE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", value)


_PLAIN = frozenset({int, bool, type(None)})  # stored as they are


def _clean(value, where: str, depth: int = 0):
    """Properties and traits made storable: NUL removed and lone surrogates replaced (the rest of the
    value is kept); objects or lists nested deeper than MAX_DEPTH reject the message. Type checks by
    identity first: this runs for every value of every event."""
    kind = type(value)
    if kind is str:
        return text_safe(value)
    if kind in _PLAIN:
        return value
    if kind is dict or kind is list:
        if depth >= MAX_DEPTH:
            raise Refused("too_deep", f"{where} is nested more than {MAX_DEPTH} levels deep.")
        if kind is dict:
            return {text_safe(str(k)): _clean(v, where, depth + 1) for k, v in value.items()}
        return [_clean(v, where, depth + 1) for v in value]
    if kind is float and (value != value or value in (float("inf"), float("-inf"))):
        return None  # NaN and infinities (1e309) are not JSON
    return value


def _when(
    item: dict, received_at: datetime, sent_at: datetime | None, earliest: datetime
) -> tuple[datetime, bool]:
    stamp = item.get("timestamp") or item.get("originalTimestamp")
    if not stamp:
        return received_at, False
    moment = moment_parse(stamp)
    if moment is None:
        raise Refused("invalid_timestamp", "timestamp must be an ISO 8601 date and time.")
    if sent_at is not None and abs(received_at - sent_at) > SKEW_TOLERANCE:
        try:
            moment += received_at - sent_at  # the client's clock was off by this much
        except OverflowError:
            raise Refused("invalid_timestamp", "timestamp is out of range once corrected.") from None
    if moment > received_at + FUTURE_TOLERANCE:
        return received_at, True
    if moment < earliest:
        raise Refused("invalid_timestamp", f"timestamp is before {earliest:%Y-%m-%d}, the earliest day kept.")
    return moment, False


def moment_parse(value) -> datetime | None:
    """An ISO 8601 moment (naive means UTC), or None."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    try:
        # In UTC: offsets beyond ±15:59 are valid ISO 8601 but not PostgreSQL, and year 1 at +01:00 is
        # year 0 in UTC, which no datetime holds.
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        return None


def properties_clean(value):
    """Event properties made storable as for Segment messages (the REST API's events); Refused when nested
    more than MAX_DEPTH levels deep."""
    return _clean(value, "properties")
