"""The rule for a company's external id, the same at every way in (Segment groupIds, the REST API, admin):
every id accepted is the last segment of the company's page and API URLs, so it can always be reached.

1 to 255 characters, none of them a '/' (it would split the URL), a control character (NUL is refused by
PostgreSQL, the others are invisible on a page) or a lone surrogate (not UTF-8); and not '.' or '..', which
browsers and HTTP clients resolve away. Anything else (spaces, '%', '?', '#', any script) is escaped in URLs."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

MAX_LENGTH = 255
_FORBIDDEN = re.compile(r"[/\x00-\x1f\x7f\ud800-\udfff]")
# For URL patterns (path converters match decoded paths): what a valid id looks like.
URL_PATTERN = r"(?!\.\.?(?:/|$))[^/\x00-\x1f\x7f]+"


def external_id_problem(value: str) -> str | None:
    """Why `value` cannot be a company's external id, or None when it can."""
    if not value:
        return "An external id cannot be empty."
    if len(value) > MAX_LENGTH:
        return f"An external id has at most {MAX_LENGTH} characters."
    if value in (".", ".."):
        return "An external id cannot be '.' or '..': it is part of the company's URL."
    if _FORBIDDEN.search(value):
        return "An external id cannot contain '/' or control characters: it is part of the company's URL."
    return None


def validate_external_id(value: str) -> None:
    """Model and form validator for the rule above."""
    problem = external_id_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_external_id")
