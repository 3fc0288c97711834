"""Query helpers shared by selectors and admin."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, Func, IntegerField, QuerySet, Subquery
from django.db.models.functions import Coalesce


def count_of(queryset: QuerySet) -> Coalesce:
    """COUNT(*) of a correlated queryset as a subquery: unlike Count() over a join, several of these on
    one list do not multiply each other's rows."""
    counted = queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class DayOrdinal(Func):
    """A date expression as its proleptic ordinal (date.toordinal()), computed by the database: rows come
    back as plain integers, with no per-row conversion in Python."""

    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql})::date - DATE '0001-01-01' + 1)", params

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        # julianday('0001-01-01') is 1721425.5 and that day's ordinal is 1.
        return f"CAST(julianday({sql}) - 1721424.5 AS INTEGER)", params


def raw_rows(queryset: QuerySet, *, chunk: int = 20_000):
    """Run a values_list() queryset's SQL directly and yield its rows as the driver returns them.

    For hot loops over hundreds of thousands of rows: skips Django's per-row converters (use it for
    integers, floats and strings; dates come back as the driver's type, text on SQLite)."""
    connection = connections[queryset.db]
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return  # e.g. `__in=[]`: Django knows there are no rows without asking
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(chunk):
            yield from batch
