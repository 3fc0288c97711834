"""The Segment-compatible endpoints in the OpenAPI schema (a drf-spectacular postprocessing hook): they are
plain Django views, so their contract is written here, with the limits ingestion/segment.py enforces, and
the schema fuzzer exercises them like the REST API.

Two levels, as in Segment's API: the request (its body, the batch and its shared fields) is checked first,
and a request that breaks those rules is a 400 with nothing stored; then each message is checked on its own,
and one that breaks a SegmentMessage rule is listed in the 200 answer's `rejected` while the others are
stored. So the request bodies take any message (`anyOf` a SegmentMessage or anything else), and
SegmentMessage says what a message needs to be stored."""

from __future__ import annotations

from ingestion.segment import MAX_MESSAGE_ID, MAX_MESSAGES, MAX_NAME

_ID = {"type": "string", "maxLength": 255}
_MESSAGE = {
    "type": "object",
    "description": "A Segment message, as it must be to be stored. Needs userId or anonymousId; track needs "
    "event; group needs groupId; alias needs previousId. A message that breaks these rules is not stored and "
    "is listed in the answer's `rejected` with the reason.",
    "properties": {
        "type": {"type": "string", "enum": ["track", "identify", "group", "page", "screen", "alias"]},
        "messageId": {"type": "string", "maxLength": MAX_MESSAGE_ID, "description": "Deduplicates retries."},
        "userId": _ID,
        "anonymousId": _ID,
        "event": {"type": "string", "maxLength": MAX_NAME},
        "groupId": _ID,
        "previousId": _ID,
        "name": {"type": "string"},
        "properties": {"type": "object", "additionalProperties": True},
        "traits": {"type": "object", "additionalProperties": True},
        "context": {"type": "object", "additionalProperties": True, "properties": {"groupId": _ID}},
        "timestamp": {"type": "string", "format": "date-time"},
        "sentAt": {"type": "string", "format": "date-time"},
    },
}
_WRITE_KEY = {"type": "string", "description": "The write key, when it is not in the Authorization header."}
_RESULT = {
    "type": "object",
    "required": ["success", "received", "stored", "duplicates", "pending", "rejected"],
    "properties": {
        "success": {"type": "boolean"},
        "received": {"type": "integer", "description": "Messages in the request."},
        "stored": {"type": "integer", "description": "New events stored."},
        "duplicates": {"type": "integer", "description": "Events stored before (same source and messageId)."},
        "pending": {"type": "integer", "description": "Events kept until their company is known."},
        "rejected": {
            "type": "array",
            "description": "Messages not stored, with the reason; the others were.",
            "items": {
                "type": "object",
                "required": ["index", "messageId", "code", "message"],
                "properties": {
                    "index": {"type": "integer"},
                    "messageId": {"type": "string"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}
_KINDS = {
    "batch": "Up to 2,500 messages (500 KB, 32 KB each); what segment-analytics-python and analytics-node send.",
    "track": "One track call: an event attributed by context.groupId, properties.company_id or the user.",
    "identify": "One identify call: upserts the contact whose external id is the userId.",
    "group": "One group call: upserts the company whose external id is the groupId.",
    "page": "One page call: stored as the event page_viewed.",
}


def segment_paths(result: dict, generator, request, public) -> dict:
    components = result.setdefault("components", {})
    components.setdefault("securitySchemes", {})["writeKey"] = {
        "type": "http",
        "scheme": "basic",
        "description": "A write key as the user name, password empty (`create_write_key`). Or `writeKey` "
        "in the body.",
    }
    schemas = components.setdefault("schemas", {})
    schemas["SegmentMessage"] = _MESSAGE
    any_message = {"anyOf": [{"$ref": "#/components/schemas/SegmentMessage"}, {}]}
    schemas["SegmentCall"] = {
        "type": "object",
        "description": "One message: stored if it is a valid SegmentMessage, else listed in the 200 answer's "
        "`rejected`.",
        "properties": {"writeKey": _WRITE_KEY},
        "anyOf": [{"$ref": "#/components/schemas/SegmentMessage"}, {"type": "object"}],
    }
    schemas["SegmentBatch"] = {
        "type": "object",
        "required": ["batch"],
        "properties": {
            "batch": {
                "type": "array",
                "maxItems": MAX_MESSAGES,
                "items": any_message,
                "description": "SegmentMessages: those that break its rules are listed in `rejected`, the "
                "others stored.",
            },
            "context": {
                "type": "object",
                "additionalProperties": True,
                "description": "Merged into each message's context (the message's own keys win).",
            },
            "integrations": {
                "type": "object",
                "additionalProperties": True,
                "description": "Merged into each message's integrations.",
            },
            "sentAt": {
                "type": "string",
                "description": "When the SDK sent the batch (ISO 8601): corrects the messages' timestamps "
                "when the client's clock is off by more than a minute. One that cannot be read is ignored.",
            },
            "writeKey": _WRITE_KEY,
        },
    }
    schemas["SegmentResult"] = _RESULT
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for kind, summary in _KINDS.items():
        body = "SegmentBatch" if kind == "batch" else "SegmentCall"
        result.setdefault("paths", {})[f"/v1/{kind}"] = {
            "post": {
                "operationId": f"segment_{kind}",
                "summary": summary,
                "tags": ["segment"],
                "security": [{"writeKey": []}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}},
                },
                "responses": {
                    "200": {
                        "description": "Committed (invalid messages listed in `rejected`).",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/SegmentResult"}}
                        },
                    },
                    "400": {
                        "description": "A request that breaks the request's rules (not a JSON object, "
                        "`batch` not a list or over 2,500 messages, a shared field of the wrong type, over "
                        "500 KB): nothing stored.",
                        **error,
                    },
                    "401": {"description": "Missing, unknown or revoked write key.", **error},
                    "405": {"description": "Only POST.", **error},
                    "503": {
                        "description": "Database unavailable: retry after Retry-After seconds.",
                        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                        **error,
                    },
                },
            }
        }
    return result
