"""The little SQL the set-based CTA statements need that PostgreSQL and SQLite spell differently, and the
quoted table names (from the models, never from input)."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Model


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def day_plus(day_sql: str, days_sql: str) -> str:
    """A date expression: `day_sql` plus `days_sql` days."""
    if connection.vendor == "postgresql":
        return f"(CAST({day_sql} AS date) + CAST({days_sql} AS integer))"
    return f"date({day_sql}, '+' || ({days_sql}) || ' days')"


def days_between(later_sql: str, earlier_sql: str) -> str:
    """Whole days from `earlier_sql` to `later_sql` (dates)."""
    if connection.vendor == "postgresql":
        return f"(CAST({later_sql} AS date) - CAST({earlier_sql} AS date))"
    return f"CAST(julianday({later_sql}) - julianday({earlier_sql}) AS integer)"


def moment(value: datetime):
    """A datetime as the backend stores it (raw statements skip the field's own adaptation)."""
    return connection.ops.adapt_datetimefield_value(value)
