"""The Segment-compatible endpoints: /v1/batch, /v1/track, /v1/identify, /v1/group, /v1/page (and /v1/screen,
/v1/alias), so an unmodified Segment SDK whose host is Waypoint delivers its events (DESIGN §6).

Plain Django views, not DRF: a 100-event batch is read, checked and stored with one COPY, and a serializer
per event would cost as much as the database write. Answers (all JSON; errors as {"code", "message"}):
200 after the commit; 400 for a request that can't be read (nothing stored; SDKs drop it, which is right);
401 for a missing, unknown or revoked write key; 503 with Retry-After when the database is unavailable
(SDKs retry, and the retry is deduplicated by messageId). Never a redirect: SDKs treat 3xx as an error."""

from __future__ import annotations

import base64
import binascii
import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from core.unavailable import UNAVAILABLE, unavailable_response
from ingestion.segment import MAX_BODY, Refused, body_read
from ingestion.services.segment import segment_ingest
from ingestion.services.write_keys import write_key_authenticate

logger = logging.getLogger(__name__)


class _Unauthorized(Exception):
    pass


@csrf_exempt
@login_not_required
def segment_endpoint(request: HttpRequest, kind: str) -> JsonResponse:
    if request.method != "POST":
        response = _error(405, "method_not_allowed", "Use POST.")
        response["Allow"] = "POST"
        return response
    received_at = timezone.now()
    try:
        header_key = _key_from_header(request)
        key = write_key_authenticate(header_key) if header_key else None
        if header_key and key is None:
            raise _Unauthorized
        body = body_read(
            _body_bytes(request),
            content_type=request.META.get("CONTENT_TYPE", ""),
            content_encoding=request.headers.get("Content-Encoding", ""),
        )
        if "writeKey" in body and not isinstance(body["writeKey"], str):
            raise Refused("invalid_body", "`writeKey` must be a string.")
        if key is None:
            body_key = body.get("writeKey")
            key = write_key_authenticate(body_key) if body_key else None
            if key is None:
                raise _Unauthorized
        result = segment_ingest(key=key, kind=kind, body=body, received_at=received_at)
    except Refused as bad:
        return _error(400, bad.code, bad.message)
    except _Unauthorized:
        return _error(401, "invalid_write_key", "Send a valid write key as the Basic auth user name.")
    except UNAVAILABLE:
        logger.exception("ingest: database unavailable")
        return unavailable_response(request)
    return JsonResponse({"success": True, **result.as_dict()})


def _key_from_header(request: HttpRequest) -> str:
    """The write key of `Authorization: Basic base64(key:)`, with or without the colon; "" without one."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return ""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise _Unauthorized from None
    return decoded.split(":", 1)[0]


def _body_bytes(request: HttpRequest) -> bytes:
    """At most MAX_BODY + 1 bytes: a larger body is refused without being held in memory. A chunked body
    (Transfer-Encoding: chunked, no Content-Length) is read from the server's decoded input stream, which
    Django's request.read() would see as empty."""
    length = request.META.get("CONTENT_LENGTH")
    try:
        declared = int(length or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY:
        raise Refused("too_large", f"The body is over {MAX_BODY // 1024} KB.")
    chunked = not length and "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    stream = request.META["wsgi.input"] if chunked else request
    raw = _read_at_most(stream, MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise Refused("too_large", f"The body is over {MAX_BODY // 1024} KB.")
    return raw


def _read_at_most(stream, limit: int) -> bytes:
    parts, size = [], 0
    while size < limit:
        part = stream.read(limit - size)
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)
