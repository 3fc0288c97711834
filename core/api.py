"""What every REST endpoint shares: one error format, the JSON parser, pagination and the batch helpers.
DRF's settings import classes from here while rest_framework.views loads, so this module imports neither
DRF's views nor its generics at the top (the schema class is in core/api_schema.py).

Errors, everywhere under /api/: `{"code": "...", "message": "...", "errors": {...}}`, `errors` only for
validation (field → messages; batches: index → field → messages). Codes are DRF's: invalid, parse_error,
not_authenticated, authentication_failed, permission_denied, not_found, method_not_allowed,
unsupported_media_type, too_large."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, parsers, serializers
from rest_framework.pagination import PageNumberPagination

from core.unavailable import RETRY_AFTER_SECONDS, UNAVAILABLE

MAX_ITEMS = 2500  # per batch of events or metric values, as Segment's batches


class Invalid(exceptions.ValidationError):
    """A validation error with its own summary message (DRF's ValidationError has only the details)."""

    def __init__(self, message: str, errors: dict) -> None:
        super().__init__(errors)
        self.message = message


class TooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "too_large"


def api_exception_handler(exc, context):
    """DRF's handler (status, headers such as WWW-Authenticate, rollback), with the body in the one error
        format. Model validation (full_clean in services) becomes a 400 like a serializer's; a database that cannot
    answer a 503 with Retry-After (core/unavailable.py)."""
    from rest_framework.views import exception_handler as drf_exception_handler  # DRF's views import settings

    if isinstance(exc, DjangoValidationError):
        detail = serializers.as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:  # Django's "__all__": the constraints over several fields
            detail["non_field_errors"] = detail.pop(NON_FIELD_ERRORS)
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = TooLarge(f"The request body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024} KB.")
    if isinstance(exc, UNAVAILABLE):
        from rest_framework.response import Response

        return Response(
            {"code": "unavailable", "message": "The database is unavailable; retry later."},
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not an API error: a bug, Django's 500
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        message = getattr(exc, "message", None) or _summary(detail)
        response.data = {"code": "invalid", "message": message, "errors": detail}
    else:
        codes = exc.get_codes()
        response.data = {
            "code": codes if isinstance(codes, str) else exc.default_code,
            "message": str(exc.detail),
        }
    return response


def _summary(detail: dict) -> str:
    fields = [field for field in detail if field != "non_field_errors"]
    if not fields:
        messages = detail.get("non_field_errors") or []
        return str(messages[0]) if len(messages) == 1 else "The request is not valid."
    return f"Invalid: {', '.join(fields)}." if len(fields) <= 5 else "Several fields are not valid."


@csrf_exempt  # a PUT to an unknown URL is a 404, not a CSRF failure page
@login_not_required
def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Unknown URLs under /api/ answer in the API's error format, not with an HTML page."""
    message = f"No API endpoint at {request.path}."
    if not request.path.endswith("/"):
        message += " API paths end with a slash."
    return JsonResponse({"code": "not_found", "message": message}, status=404)


class JSONParser(parsers.JSONParser):
    """A body nested too deep for Python's parser is a 400, not a 500. (The size limit is Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE: DRF reads JSON through request.body.)"""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - the body is nested too deeply.") from None


class Pagination(PageNumberPagination):
    """Pages of 50 (up to 500 with page_size), with the total `count`. Strict: a `page` or `page_size` that is
    not a whole number in range is a 400 (DRF's own falls back to the defaults, so a typo went unnoticed, and
    read `page=last`, which the schema never said); a page past the last is a 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request) -> int:
        return _positive_param(
            request, self.page_size_query_param, self.page_size, maximum=self.max_page_size
        )

    def get_page_number(self, request, paginator) -> int:
        return _positive_param(request, self.page_query_param, 1)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        page, page_size = super().get_schema_operation_parameters(view)
        page["schema"] = {"type": "integer", "minimum": 1, "default": 1}
        page["description"] = "A page number, from 1. A page past the last is a 404."
        page_size["schema"] = {
            "type": "integer",
            "minimum": 1,
            "maximum": self.max_page_size,
            "default": self.page_size,
        }
        page_size["description"] = f"Results per page, 1 to {self.max_page_size}."
        return [page, page_size]


def _positive_param(request, name: str, default: int, *, maximum: int | None = None) -> int:
    """A query parameter that is a whole number from 1 (to `maximum`), `default` when absent, else a 400."""
    if name not in request.query_params:
        return default
    value = request.query_params[name]
    number = 0
    if value.isascii() and value.isdigit():
        digits = value.lstrip("0")
        number = int(digits or "0") if len(digits) <= 18 else 10**18  # int() refuses 4,300 digits
    if number < 1 or (maximum is not None and number > maximum):
        expected = f"A whole number from 1 to {maximum}." if maximum else "A whole number from 1."
        raise exceptions.ValidationError({name: [expected]})
    return number


# --- Batches ------------------------------------------------------------------------------------------------


def batch_items(data, key: str) -> tuple[list, bool]:
    """The items of a body that holds one item or `{key: [...]}`: (items, whether it was a batch)."""
    if isinstance(data, dict) and key in data:
        items = data[key]
        if not isinstance(items, list) or not items:
            raise Invalid(f"`{key}` must be a non-empty list.", {key: ["Expected a non-empty list."]})
        if len(items) > MAX_ITEMS:
            raise Invalid(
                f"A batch holds at most {MAX_ITEMS:,} items.", {key: [f"At most {MAX_ITEMS:,} items."]}
            )
        return items, True
    if not isinstance(data, dict):
        raise Invalid(
            f"Send one object, or {{{key!r}: [...]}}.",
            {"non_field_errors": [f"Expected an object or {{{key!r}: [...]}}."]},
        )
    return [data], False


def items_validate(serializer: serializers.Serializer, items: Sequence) -> tuple[dict[int, dict], dict]:
    """Each item through one serializer's validation: (validated data by index, errors by index)."""
    valid, errors = {}, {}
    for index, item in enumerate(items):
        try:
            valid[index] = serializer.run_validation(item)
        except exceptions.ValidationError as error:
            errors[index] = error.detail
    return valid, errors


def items_invalid(key: str, errors: dict[int, dict], *, total: int, batch: bool) -> Invalid:
    """The 400 for a strict batch: every invalid item by index, nothing stored. A single item gets its field
    errors directly."""
    if not batch:
        detail = errors[0]
        return Invalid(_summary(detail if isinstance(detail, dict) else {"non_field_errors": detail}), detail)
    return Invalid(
        f"{len(errors)} of {total} {key} are invalid; nothing was stored.",
        {key: {str(index): errors[index] for index in sorted(errors)}},
    )


# --- Schema ----------------------------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable: invalid, not_found, authentication_failed…")
    message = serializers.CharField(help_text="For people.")
    errors = serializers.DictField(
        required=False,
        help_text="Validation only: field → messages; for batches, `events`/`metrics` → index → field → messages.",
    )
