"""The OpenAPI schema class of the REST API (DEFAULT_SCHEMA_CLASS)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from core.api import ErrorSerializer


class ApiAutoSchema(AutoSchema):
    """Adds the error responses every operation can give, in the one error format, so generated clients
    know them: 401/403 everywhere, 404 on a path with an id, 400 on writes and on lists with parameters,
    413/415 on writes."""

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
        for code, description in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), code, direction=direction
                )
        return responses
