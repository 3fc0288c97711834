"""What the checklists and the health formula measure, for many companies at once, as of the end of a day:
event counts (all time or in a trailing window), the latest metric values, and the health window's active
days and key actions. One definition shared by the daily assessment (chunks of thousands of companies) and
the pages and API (one company), so they never disagree.

Windows include both ends: a count in a window of W days, on day D, counts the events of days D-W+1 … D
(milestones/rules.py); the health window is the same with W = the health settings' window."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from companies.models import Company, Event, MetricValue
from core.days import day_end, day_start, local_day
from core.queries import raw_rows
from milestones import rules
from milestones.services.methodology import EngineCriterion, EventSet, HealthRule, Methodology


def window_start(day: date, window_days: int) -> datetime:
    """The first moment of a trailing window of `window_days` days ending with `day` (both ends included)."""
    return day_start(day - timedelta(days=window_days - 1))


@dataclass
class DayValues:
    """One company's measures at the end of a day: every (event set, window) count the checklists need, and
    the health window's active days and distinct key actions."""

    counts: dict[tuple[EventSet, int | None], int]
    active_days: int = 0
    key_actions: int = 0

    def count(self, events: EventSet | None, window: int | None) -> int:
        if events is None or events.type_id is None:
            return 0  # no event of that name was ever received
        return self.counts.get((events, window), 0)


def day_values(methodology: Methodology, scope: Q, day: date, *, with_counts: bool) -> dict[int, DayValues]:
    """Per company in `scope` (a filter on Event.company_id): the health window's values and, with
    `with_counts`, every count the checklists need, as of the end of `day`. Companies without events in
    the window or counted are absent (all zero).

    Two queries, each one pass over the scope's index entries:
    - the counts: GROUP BY company and event type (the covering index on company, type and time serves
      it), with one filtered count per (condition, window);
    - the health window: active days and key actions used, read through the (company, time) index."""
    values: dict[int, DayValues] = defaultdict(lambda: DayValues({}))
    if with_counts and methodology.count_keys:
        _add_counts(values, methodology, scope, day)
    health = methodology.health
    rows = (
        Event.objects.filter(
            scope, occurred_at__gte=window_start(day, health.window_days), occurred_at__lt=day_end(day)
        )
        .values("company_id")
        .annotate(
            active_days=Count(local_day("occurred_at"), distinct=True),
            key_actions=Count("type_id", distinct=True, filter=Q(type_id__in=health.key_action_type_ids)),
        )
        .order_by()
        .values_list("company_id", "active_days", "key_actions")
    )
    for company_id, active_days, key_actions in raw_rows(rows):
        measured = values[company_id]
        measured.active_days, measured.key_actions = active_days, key_actions
    return dict(values)


def _add_counts(values: dict[int, DayValues], methodology: Methodology, scope: Q, day: date) -> None:
    """Each count key's value at the end of `day`, per company, into `values`."""
    columns: dict[tuple, Count] = {}  # one filtered count per distinct (condition, window)
    for events, window in methodology.count_keys:
        column = (events.condition, window)
        if column not in columns:
            condition = events.condition.as_q() if events.condition else Q()
            if window:
                condition &= Q(occurred_at__gte=window_start(day, window))
            columns[column] = Count("occurred_at", filter=condition) if condition else Count("occurred_at")
    aliases = {column: f"count_{index}" for index, column in enumerate(columns)}
    keys_by_type: dict[int, list[tuple[tuple, int]]] = defaultdict(list)
    positions = {column: position for position, column in enumerate(aliases)}
    for events, window in methodology.count_keys:
        assert events.type_id is not None  # count_keys holds only the event sets of received types
        keys_by_type[events.type_id].append(((events, window), positions[(events.condition, window)]))
    rows = (
        Event.objects.filter(scope, occurred_at__lt=day_end(day), type_id__in=list(keys_by_type))
        .values("company_id", "type_id")
        .annotate(**{aliases[column]: aggregate for column, aggregate in columns.items()})
        .order_by()
        .values_list("company_id", "type_id", *aliases.values())
    )
    for company_id, type_id, *counts in raw_rows(rows):
        company_counts = values[company_id].counts
        for key, position in keys_by_type[type_id]:
            company_counts[key] = counts[position]


def latest_metrics(
    metrics: tuple[str, ...], first_id: int, last_id: int, day: date
) -> dict[int, dict[str, float]]:
    """Per company with an id in the range, each metric's latest value on or before `day` (the value on
    that day). By id range: one index range scan, where a list of ids would be probed one by one."""
    latest: dict[int, dict[str, float]] = defaultdict(dict)
    if not metrics:
        return latest
    if connection.vendor == "postgresql":
        rows = _latest_metrics_postgresql(metrics, first_id, last_id, day)
    else:
        rows = raw_rows(
            MetricValue.objects.filter(
                company_id__gte=first_id, company_id__lte=last_id, metric__in=metrics, date__lte=day
            )
            .annotate(
                rank=Window(
                    RowNumber(), partition_by=[F("company_id"), F("metric")], order_by=F("date").desc()
                )
            )
            .filter(rank=1)
            .values_list("company_id", "metric", "value")
        )
    for company_id, metric, value in rows:
        latest[company_id][metric] = value
    return latest


def _latest_metrics_postgresql(metrics: tuple[str, ...], first_id: int, last_id: int, day: date) -> list:
    """One backward probe of the unique (company, metric, date) index per company and metric: its cost
    follows the number of companies, not the length of their metric history (DISTINCT ON reads it all)."""
    quote = connection.ops.quote_name
    companies, values = quote(Company._meta.db_table), quote(MetricValue._meta.db_table)
    pairs = ", ".join(["(%s)"] * len(metrics))
    sql = (
        f"SELECT c.id, m.metric, v.value FROM {companies} c CROSS JOIN (VALUES {pairs}) AS m(metric) "  # noqa: S608
        f"CROSS JOIN LATERAL (SELECT value FROM {values} mv WHERE mv.company_id = c.id AND mv.metric = m.metric "
        "AND mv.date <= %s ORDER BY mv.date DESC LIMIT 1) v WHERE c.id BETWEEN %s AND %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*metrics, day, first_id, last_id])
        return cursor.fetchall()


# --- One criterion, one health score, from the measures -------------------------------------------------------


def criterion_value(
    criterion: EngineCriterion, measured: DayValues, metrics: dict[str, float]
) -> tuple[float | int | None, bool]:
    """(value, holds) of a criterion on the day: the count, the ratio (None without a denominator) or the
    metric (None without a value yet)."""
    check = criterion.check
    if criterion.metric:
        value = metrics.get(criterion.metric)
        return value, rules.metric_holds(check, value)
    top = measured.count(criterion.events, check.window_days)
    if criterion.denominator is None:
        return top, rules.count_holds(check, top)
    bottom = measured.count(criterion.denominator, check.window_days)
    return (top / bottom if bottom else None), rules.ratio_holds(check, top, bottom)


def health_from(measured: DayValues | None, rule: HealthRule) -> rules.Health:
    """The health score (DESIGN §4.6) of the measured window."""
    return rules.health_of(
        measured.active_days if measured else 0,
        measured.key_actions if measured else 0,
        window_days=rule.window_days,
        key_actions_total=rule.key_actions_total,
        activity_weight=rule.activity_weight,
        key_action_weight=rule.key_action_weight,
    )
