"""History: the events and metric values of companies assessed over more than one day (never assessed,
days missed, late data, a rebuild), as per-day series, and the first day all of a milestone's criteria held
together on them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet

from companies.models import Event, MetricValue
from core.days import day_end, local_day
from core.queries import DayOrdinal, raw_rows
from milestones import rules
from milestones.services.assessment.companies import CompanyToAssess
from milestones.services.methodology import EventSet, Methodology

# Below this share of a chunk, history is fetched for the listed companies only; above it, for the whole
# id range (one index range scan beats thousands of index probes).
HISTORY_BY_RANGE_SHARE = 0.3


def history_load(
    methodology: Methodology,
    companies: list[CompanyToAssess],
    first_id: int,
    last_id: int,
    chunk_size: int,
    as_of: date,
) -> dict[int, dict]:
    """Per company: each event set's (day, count) series and each metric's (day, value) series, by day,
    through `as_of`. Days are workspace-local day ordinals."""
    if not companies:
        return {}
    ids = [company.id for company in companies]
    by_range = len(ids) > chunk_size * HISTORY_BY_RANGE_SHARE
    scope = Q(company_id__gte=first_id, company_id__lte=last_id) if by_range else Q(company_id__in=ids)
    wanted = set(ids)
    series: dict[int, dict] = defaultdict(dict)
    plain = {events.type_id: events for events in methodology.event_sets if events.condition is None}
    if plain:
        per_day = Event.objects.filter(scope, type_id__in=list(plain))
        for company_id, type_id, days, counts in _daily_series(per_day, as_of):
            if company_id in wanted:
                series[company_id][plain[type_id]] = list(zip(days, counts, strict=True))
    for events in methodology.event_sets:
        if events.condition is not None:  # rare: a property condition needs its own count
            for company_id, _, days, counts in _daily_series(Event.objects.filter(scope, events.q()), as_of):
                if company_id in wanted:
                    series[company_id][events] = list(zip(days, counts, strict=True))
    if methodology.metrics:
        readings = (
            MetricValue.objects.filter(scope, metric__in=methodology.metrics, date__lte=as_of)
            .annotate(day=DayOrdinal(F("date")))
            .order_by("company_id", "metric", "date")
            .values_list("company_id", "metric", "day", "value")
        )
        for company_id, metric, days, values in _grouped_series(readings):
            if company_id in wanted:
                series[company_id][metric] = list(zip(days, values, strict=True))
    return series


def _daily_series(events: QuerySet, as_of: date) -> Iterator[tuple[int, int, list[int], list[int]]]:
    """(company id, type id, days, counts): each company's events of each type counted per local day,
    through `as_of`, days in order."""
    per_day = (
        events.filter(occurred_at__lt=day_end(as_of))
        .annotate(day=DayOrdinal(local_day("occurred_at")))
        .values("company_id", "type_id", "day")
        .annotate(n=Count("occurred_at"))
        .order_by()
        .values_list("company_id", "type_id", "day", "n")
    )
    return _grouped_series(per_day.order_by("company_id", "type_id", "day"))


def _grouped_series(rows: QuerySet) -> Iterator[tuple[Any, Any, list[Any], list[Any]]]:
    """Rows (a, b, day, value), ordered by a, b and day, regrouped as (a, b, days, values)."""
    if connection.vendor == "postgresql":
        # One row per group, its days and values as arrays: psycopg decodes them in C, where a row per day
        # would cost a Python loop over hundreds of thousands of rows per chunk.
        sql, params = rows.order_by().query.sql_with_params()
        arrays = f"SELECT a, b, array_agg(d ORDER BY d), array_agg(v ORDER BY d) FROM ({sql}) AS s(a, b, d, v) GROUP BY a, b"  # noqa: S608 - Django-compiled SQL
        with connection.cursor() as cursor:
            cursor.execute(arrays, params)
            yield from cursor.fetchall()
        return
    for key, group in groupby(raw_rows(rows), key=itemgetter(0, 1)):
        days, values = [], []
        for _, _, day, value in group:
            days.append(day)
            values.append(value)
        yield key[0], key[1], days, values


def first_day_all_hold(criteria, series: dict, start: date, as_of: date) -> date | None:
    # Cheap exits first: most of a company's later milestones lack some kind of event altogether.
    for criterion in criteria:
        if criterion.metric:
            if not series.get(criterion.metric):
                return None
        elif criterion.denominator is not None:
            if _total(series, criterion.denominator) < criterion.check.min_denominator:
                return None
        elif not rules.can_hold(criterion.check, _total(series, criterion.events)):
            return None
    spans = []
    for criterion in criteria:
        check = criterion.check
        if criterion.metric:
            spans.append(rules.metric_spans(check, series.get(criterion.metric, ())))
        elif criterion.denominator is not None:
            spans.append(
                rules.ratio_spans(
                    check, _series(series, criterion.events), _series(series, criterion.denominator)
                )
            )
        else:
            spans.append(rules.count_spans(check, _series(series, criterion.events)))
        if not spans[-1]:
            return None  # this criterion never holds: no need to look at the others
    first = rules.first_day_all_hold(spans, start.toordinal(), as_of.toordinal())
    return date.fromordinal(first) if first is not None else None


def _total(series: dict, events: EventSet | None) -> int:
    """All the events of a set (cached per company: several criteria ask for the same set)."""
    totals = series.setdefault("totals", {})
    if events not in totals:
        totals[events] = sum(count for _, count in _series(series, events))
    return totals[events]


def _series(series: dict, events: EventSet | None) -> list:
    if events is None or events.type_id is None:
        return []
    return series.get(events, [])
