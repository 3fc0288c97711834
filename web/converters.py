"""URL converters: a company's external id in page and API URLs (companies/ids.py). A path holding what no
id can hold (a NUL byte, '.', '..') matches no route: a 404, never a database error."""

from __future__ import annotations

from django.urls import register_converter

from companies.ids import URL_PATTERN


class ExternalIdConverter:
    regex = URL_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ExternalIdConverter, "external_id")
