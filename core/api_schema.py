"""The OpenAPI schema class of the REST API (DEFAULT_SCHEMA_CLASS)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from core.api import ErrorSerializer
from core.unavailable import RETRY_AFTER_SECONDS

# What str.strip() removes (str.isspace()), so what DRF trims off text before checking it: a character class.
SPACES = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = rf"^[^\x00]*[^\x00{SPACES}][^\x00]*$"  # and something left once trimmed
_TEXT_WITH_A_FORMAT = (
    serializers.EmailField,
    serializers.RegexField,
    serializers.SlugField,
    serializers.URLField,
    serializers.UUIDField,
    serializers.IPAddressField,
)


class ApiAutoSchema(AutoSchema):
    """Adds the error responses every operation can give, in the one error format, so generated clients
    know them: 400 everywhere (a query string with a NUL character is refused before any view; writes add
    invalid bodies, lists invalid parameters), 401/403 everywhere, 404 on a path with an id and for a page
    past the last, 413/415 on writes, and 503 with Retry-After everywhere (core/unavailable.py).

    And says what DRF's text fields take: no NUL character (PostgreSQL cannot store one), and, when they
    may not be blank, something besides the spaces they are trimmed of. A serializer may add rules over
    several fields with `schema_any_of` (a list of JSON schemas, one of which the body must match)."""

    def _get_filter_parameters(self):
        """django-filter reads an empty value as no filter (`?lifecycle=&csm=bob` filters by CSM only), so an
        optional filter says it may be empty, whatever its type or values; and a query string with a NUL
        character is refused (core/middleware.py), so free text says it has none."""
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            if not parameter.get("required"):
                parameter["allowEmptyValue"] = True
            schema = parameter.get("schema", {})
            if schema.get("type") == "string" and not {"enum", "format", "pattern"} & schema.keys():
                schema["pattern"] = NO_NUL
        return parameters

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        if body is not None and self.method == "POST":
            body["required"] = True  # every POST takes a body, the one-or-a-batch ones included
        return body

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction != "request":
            return schema
        for name, field in force_instance(serializer).fields.items():
            text = schema["properties"].get(name)
            if isinstance(field, serializers.ListField) and isinstance(text, dict):
                field, text = field.child, text.get("items")  # a list of texts: each item's rule
            if (
                isinstance(field, serializers.CharField)
                and not isinstance(field, _TEXT_WITH_A_FORMAT)
                and isinstance(text, dict)
                and text.get("type") == "string"
                and "pattern" not in text
            ):
                blank = field.allow_blank or not field.trim_whitespace
                text["pattern"] = NO_NUL if blank else NOT_BLANK
        any_of = getattr(serializer, "schema_any_of", None)
        if any_of:
            schema["anyOf"] = any_of
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {"401": "Missing, unknown or revoked token.", "403": "The user has no role for this."}
        if "{" in self.path:
            errors["404"] = "Not found, or not visible to this user."
        elif self.method == "GET" and self._get_paginator():
            errors["404"] = "No such page."
        if self.method in ("POST", "PUT", "PATCH"):
            errors["400"] = "Invalid body, with `errors`."
            errors["413"] = "Body over the size limit."
            errors["415"] = "Not JSON."
        elif self.get_filter_backends() or self._get_paginator() or self.get_override_parameters():
            errors["400"] = "Invalid query parameters, with `errors`."
        else:
            errors["400"] = "A query string with a NUL character."
        errors["503"] = "The database is unavailable: retry after `Retry-After` seconds."
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), code, direction=direction
                )
        responses["503"].setdefault("headers", {})["Retry-After"] = {
            "schema": {"type": "integer", "minimum": 0, "example": RETRY_AFTER_SECONDS},
            "description": "Seconds to wait before retrying.",
        }
        return responses
