"""The daily milestone assessment of one chunk of companies (DESIGN §4.2–4.3, §4.6).

Per chunk, a fixed number of set-based queries, whatever the chunk size:
1. one aggregate pass over the chunk's events: every count the checklists need on the assessed day, the
   active days and the key actions of the health window;
2. the latest value of each metric on that day;
3. only for companies whose history must be read (never assessed, assessment days missed, events that
   arrived late, or a rebuild): their events counted per day, and their metric values;
4. the rules of milestones/rules.py over that data; then achievements, progress rows and snapshot cells.

Incremental by design: `CompanyProgress.assessed_through` records the last day for which a company's
milestones were assessed. A company assessed through yesterday needs only "do all criteria hold today?"
(the cheap pass). Any other company has its history read from the day after, so one assessment after
importing two years of events gives the dates that two years of daily runs would have given."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import groupby
from operator import itemgetter

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from companies.models import Company, Event, MetricValue
from core.bulk import bulk_upsert
from core.days import day_end, day_start, local_day
from core.queries import DayOrdinal, raw_rows
from milestones import rules
from milestones.models import Achievement, CompanyProgress
from milestones.services.methodology import EngineCriterion, EventSet, Methodology

# Below this share of a chunk, history is fetched for the listed companies only; above it, for the whole
# id range (one index range scan beats thousands of index probes).
HISTORY_BY_RANGE_SHARE = 0.3


@dataclass
class ChunkResult:
    companies: int = 0
    assessed: int = 0  # active customers whose milestones were assessed for new days
    from_history: int = 0  # of those, the ones whose history was read
    achievements: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # time per phase, for the run's record
    cells: list[list] = field(default_factory=list)  # funnel snapshot cells, see snapshots.py
    csm_cells: list[list] = field(default_factory=list)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass
class _Company:
    id: int
    since: date
    churned_on: date | None
    segment: str
    plan: str
    csm_id: int | None
    assessed_through: date | None
    progress_as_of: date | None
    achieved: dict[int, date]
    start: date | None = None  # first day to assess; None: nothing new to assess
    last: date | None = None  # last day to assess: the assessed day, or the day before the churn

    def active_on(self, day: date) -> bool:
        return self.churned_on is None or self.churned_on > day


def assess_chunk(
    *,
    as_of: date,
    first_id: int,
    last_id: int,
    methodology: Methodology,
    rebuild: bool = False,
    late: dict[int, date] | None = None,
) -> ChunkResult:
    """Assess the customers with ids in [first_id, last_id] as of the end of `as_of`.

    `rebuild` re-derives every active customer's achievements from history (after a checklist changed).
    `late`: company id → the earliest day of data that arrived after the previous run; the company's
    history is re-read from that day. Safe to run again: a second run for the same day changes nothing."""
    with transaction.atomic():
        # One transaction: a consistent view of the chunk, and batch settings for its few large queries.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # JIT compiling costs more than it saves on queries of a fraction of a second; the
                # per-chunk aggregates and sorts fit in memory with a larger work_mem.
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
        return _assess(
            as_of=as_of,
            first_id=first_id,
            last_id=last_id,
            methodology=methodology,
            rebuild=rebuild,
            late=late,
        )


def _assess(
    *,
    as_of: date,
    first_id: int,
    last_id: int,
    methodology: Methodology,
    rebuild: bool,
    late: dict[int, date] | None,
) -> ChunkResult:
    timer = _Timer()
    with timer("load"):
        companies = _load_companies(first_id, last_id, as_of)
    result = ChunkResult(companies=len(companies), seconds=timer.seconds)
    if not companies:
        return result
    # A company is assessed for the days it was a customer: through `as_of`, or through the day before
    # it churned. So a churned company's history still counts, and nothing after its churn does.
    previous: dict[tuple[int, int], date] = {}
    for company in companies:
        company.last = as_of if company.active_on(as_of) else company.churned_on - timedelta(days=1)
        company.start = _first_day_to_assess(company, company.last, rebuild=rebuild, late=late or {})
        if rebuild:  # re-derive everything; what was there decides what to write
            previous.update(
                ((company.id, milestone_id), day) for milestone_id, day in company.achieved.items()
            )
            company.achieved = {}
    assessed = [company for company in companies if company.start is not None]
    by_history = [company for company in assessed if company.start < as_of]
    result.assessed, result.from_history = len(assessed), len(by_history)

    day_checks = any(company.start == as_of for company in assessed)
    with timer("day values"):
        day_values = _day_values(methodology, first_id, last_id, as_of, with_counts=day_checks)
    with timer("history"):
        history = _history(methodology, by_history, first_id, last_id, len(companies), as_of)
    with timer("rules"):
        new_achievements = _achievements(assessed, methodology, day_values, history, as_of)
    result.achievements = len(new_achievements)

    with timer("progress"):
        active_rows, churned_rows = _progress(
            companies, methodology, day_values, as_of, result, rebuild=rebuild
        )
    with timer("write"):
        if rebuild:
            new_achievements = _rebuild_changes(previous, new_achievements)
        bulk_upsert(
            Achievement,
            ["company", "milestone", "achieved_on"],
            new_achievements,
            conflict=["company", "milestone"],
        )
        bulk_upsert(
            CompanyProgress, _PROGRESS_FIELDS, active_rows, conflict=["company"], update=_ACTIVE_FIELDS
        )
        bulk_upsert(
            CompanyProgress, _PROGRESS_FIELDS, churned_rows, conflict=["company"], update=_CHURNED_FIELDS
        )
    return result


def _rebuild_changes(
    previous: dict[tuple[int, int], date], derived: list[tuple[int, int, date]]
) -> list[tuple]:
    """Delete the achievements a rebuild no longer finds (or finds on another day); return the ones to
    insert. A rebuild that changes nothing writes nothing."""
    current = {(company_id, milestone_id): day for company_id, milestone_id, day in derived}
    stale: dict[int, list[int]] = defaultdict(list)
    for (company_id, milestone_id), day in previous.items():
        if current.get((company_id, milestone_id)) != day:
            stale[milestone_id].append(company_id)
    for milestone_id, company_ids in stale.items():
        Achievement.objects.filter(milestone_id=milestone_id, company_id__in=company_ids).delete()
    return [(cid, mid, day) for (cid, mid), day in current.items() if previous.get((cid, mid)) != day]


class _Timer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, phase: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[phase] = self.seconds.get(phase, 0.0) + time.perf_counter() - started


def _achievements(
    assessed, methodology: Methodology, day_values: dict, history: dict, as_of: date
) -> list[tuple]:
    """New achievements (company id, milestone id, day): on `as_of` for companies checked on that day only,
    on the first day all criteria held for the others."""
    new_achievements: list[tuple[int, int, date]] = []
    need_metrics: list[tuple[_Company, int, tuple]] = []
    for company in assessed:
        for milestone_id, criteria in methodology.criteria.items():
            if milestone_id in company.achieved or not criteria:
                continue
            if company.start == as_of:
                counts = day_values.get(company.id, {})
                if not all(_holds_on_day(c, counts) for c in criteria if not c.metric):
                    continue
                if any(c.metric for c in criteria):
                    need_metrics.append((company, milestone_id, criteria))
                    continue
                achieved_on = as_of
            else:
                achieved_on = _first_day_all_hold(
                    criteria, history.get(company.id, {}), company.start, company.last
                )
            if achieved_on is not None:
                company.achieved[milestone_id] = achieved_on
                new_achievements.append((company.id, milestone_id, achieved_on))
    if need_metrics:
        # Metrics are read only for the few companies whose counts already hold: most fail on a count.
        ids = [company.id for company, _, _ in need_metrics]
        latest = _latest_metrics(methodology, min(ids), max(ids), as_of)
        for company, milestone_id, criteria in need_metrics:
            values = latest.get(company.id, {})
            if all(rules.metric_holds(c.check, values.get(c.metric)) for c in criteria if c.metric):
                company.achieved[milestone_id] = as_of
                new_achievements.append((company.id, milestone_id, as_of))
    return new_achievements


def _load_companies(first_id: int, last_id: int, as_of: date) -> list[_Company]:
    """Customers and churned companies that had started by `as_of`, with their progress and achievements."""
    # Dates come back as day ordinals (plain integers, no per-row conversion in Django).
    rows = Company.objects.filter(
        id__gte=first_id,
        id__lte=last_id,
        lifecycle__in=[Company.Lifecycle.CUSTOMER, Company.Lifecycle.CHURNED],
        customer_since__lte=as_of,
    ).values_list(
        "id", DayOrdinal(F("customer_since")), DayOrdinal(F("churned_on")), "segment", "plan", "csm_id"
    )
    progress = {
        company_id: (_day(through), _day(progress_as_of))
        for company_id, through, progress_as_of in raw_rows(
            CompanyProgress.objects.filter(company_id__gte=first_id, company_id__lte=last_id).values_list(
                "company_id", DayOrdinal(F("assessed_through")), DayOrdinal(F("as_of"))
            )
        )
    }
    achieved: dict[int, dict[int, date]] = defaultdict(dict)
    for company_id, milestone_id, day in raw_rows(
        Achievement.objects.filter(company_id__gte=first_id, company_id__lte=last_id).values_list(
            "company_id", "milestone_id", DayOrdinal(F("achieved_on"))
        )
    ):
        achieved[company_id][milestone_id] = date.fromordinal(day)
    return [
        _Company(
            id=company_id,
            since=date.fromordinal(since),
            churned_on=_day(churned_on),
            segment=segment,
            plan=plan,
            csm_id=csm_id,
            assessed_through=progress.get(company_id, (None, None))[0],
            progress_as_of=progress.get(company_id, (None, None))[1],
            achieved=achieved.get(company_id, {}),
        )
        for company_id, since, churned_on, segment, plan, csm_id in raw_rows(rows)
    ]


def _day(ordinal: int | None) -> date | None:
    return date.fromordinal(ordinal) if ordinal is not None else None


def _first_day_to_assess(
    company: _Company, last: date, *, rebuild: bool, late: dict[int, date]
) -> date | None:
    """The first day not assessed yet (or to re-read because of late data); None when there is none."""
    if last < company.since:
        return None  # churned on the day it started: never a customer for a whole day
    if rebuild or company.assessed_through is None:
        return company.since
    start = company.assessed_through + timedelta(days=1)
    late_day = late.get(company.id)
    if late_day is not None and late_day < start:
        start = late_day
    start = max(start, company.since)
    return start if start <= last else None


# --- Data on the assessed day (the cheap pass) --------------------------------------------------------------


def _day_values(
    methodology: Methodology, first_id: int, last_id: int, as_of: date, *, with_counts: bool
) -> dict[int, dict]:
    """Per company: the health parts and (`with_counts`) every count the checklists need as of the end of
    `as_of`, keyed by (event set, window), plus "active_days" and "key_actions".

    Two queries, each one pass over the chunk's index entries:
    - the counts: GROUP BY company and event type (the covering index on company, type and time serves
      it), with one filtered count per window length. An event counts in a window of W days when it
      occurred on day as_of-W+1 … as_of, both ends included;
    - the health window: active days and key actions used, read through the (company, time) index."""
    values: dict[int, dict] = defaultdict(dict)
    end = day_end(as_of)
    if with_counts and methodology.count_keys:
        _add_day_counts(values, methodology, Q(company_id__gte=first_id, company_id__lte=last_id), as_of)
    health = methodology.health
    window_start = day_start(as_of - timedelta(days=health.window_days - 1))
    rows = (
        Event.objects.filter(
            company_id__gte=first_id,
            company_id__lte=last_id,
            occurred_at__gte=window_start,
            occurred_at__lt=end,
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
        values[company_id]["active_days"] = active_days
        values[company_id]["key_actions"] = key_actions
    return values


def _add_day_counts(values: dict[int, dict], methodology: Methodology, scope: Q, as_of: date) -> None:
    """Each count key's value on `as_of`, per company, into `values`."""
    columns: dict[tuple, Count] = {}  # one filtered count per distinct (condition, window)
    for events, window in methodology.count_keys:
        column = (events.condition, window)
        if column not in columns:
            condition = events.condition.as_q() if events.condition else Q()
            if window:
                condition &= Q(occurred_at__gte=day_start(as_of - timedelta(days=window - 1)))
            columns[column] = Count("occurred_at", filter=condition) if condition else Count("occurred_at")
    aliases = {column: f"count_{index}" for index, column in enumerate(columns)}
    keys_by_type: dict[int, list[tuple[tuple, int]]] = defaultdict(list)
    for events, window in methodology.count_keys:
        position = list(aliases).index((events.condition, window))
        keys_by_type[events.type_id].append(((events, window), position))
    rows = (
        Event.objects.filter(scope, occurred_at__lt=day_end(as_of), type_id__in=list(keys_by_type))
        .values("company_id", "type_id")
        .annotate(**{aliases[column]: aggregate for column, aggregate in columns.items()})
        .order_by()
        .values_list("company_id", "type_id", *aliases.values())
    )
    for company_id, type_id, *counts in raw_rows(rows):
        company_values = values[company_id]
        for key, position in keys_by_type[type_id]:
            company_values[key] = counts[position]


def _latest_metrics(methodology: Methodology, first_id: int, last_id: int, as_of: date) -> dict[int, dict]:
    """Per company with an id in the range, each metric's latest value on or before `as_of` (the value on
    that day). By id range: one index range scan, where a list of ids would be probed one by one."""
    latest: dict[int, dict] = defaultdict(dict)
    if connection.vendor == "postgresql":
        rows = _latest_metrics_postgresql(methodology.metrics, first_id, last_id, as_of)
    else:
        rows = raw_rows(
            MetricValue.objects.filter(
                company_id__gte=first_id,
                company_id__lte=last_id,
                metric__in=methodology.metrics,
                date__lte=as_of,
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


def _latest_metrics_postgresql(metrics: tuple[str, ...], first_id: int, last_id: int, as_of: date) -> list:
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
        cursor.execute(sql, [*metrics, as_of, first_id, last_id])
        return cursor.fetchall()


def _holds_on_day(criterion: EngineCriterion, counts: dict) -> bool:
    """A count or ratio criterion on the assessed day."""
    check = criterion.check
    numerator = _count(counts, criterion.events, check.window_days)
    if criterion.denominator is None:
        return rules.count_holds(check, numerator)
    return rules.ratio_holds(check, numerator, _count(counts, criterion.denominator, check.window_days))


def _count(counts: dict, events: EventSet | None, window: int | None) -> int:
    if events is None or events.type_id is None:
        return 0
    return counts.get((events, window), 0)


# --- History (companies assessed over more than one day) ----------------------------------------------------


def _history(
    methodology: Methodology,
    companies: list[_Company],
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


def _grouped_series(rows: QuerySet) -> Iterator[tuple[object, object, list, list]]:
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


def _first_day_all_hold(criteria, series: dict, start: date, as_of: date) -> date | None:
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


# --- Progress, and the snapshot cells --------------------------------------------------------------------------

_PROGRESS_FIELDS = [
    "company",
    "as_of",
    "assessed_through",
    "active",
    "position",
    "current_milestone",
    "position_since",
    "days_at_position",
    "stuck_since",
    "health",
    "active_days",
    "key_actions_used",
    "key_actions_total",
    "health_window_days",
    "updated_at",
]
_ACTIVE_FIELDS = _PROGRESS_FIELDS[1:]
# A churned company keeps its last health: it is not measured any more.
_CHURNED_FIELDS = [*_PROGRESS_FIELDS[1:9], "updated_at"]


def _progress(
    companies, methodology: Methodology, day_values: dict, as_of: date, result: ChunkResult, *, rebuild: bool
):
    """Position, stuck and health of each company as of `as_of` (churned companies: as of their churn), as
    rows in _PROGRESS_FIELDS order, and this chunk's funnel snapshot cells."""
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    csm_cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    active_rows, churned_rows = [], []
    health_rule = methodology.health
    now = timezone.now()
    for company in companies:
        active = company.active_on(as_of)
        day = as_of if active else company.churned_on
        achieved = {m: d.toordinal() for m, d in company.achieved.items() if d <= day}
        position = rules.position_of(methodology.sequence, achieved, company.since.toordinal())
        since = date.fromordinal(position.since)
        stuck_day = rules.stuck_since(position, methodology.stuck_rules) if active else None
        stuck_since = (
            date.fromordinal(stuck_day) if stuck_day is not None and stuck_day <= as_of.toordinal() else None
        )
        assessed_through = company.last if company.start is not None else company.assessed_through
        health, counts = None, (0, 0, 1 if company.churned_on and company.churned_on <= as_of else 0, 0, 0)
        if active:
            values = day_values.get(company.id, {})
            health = rules.health_of(
                values.get("active_days", 0),
                values.get("key_actions", 0),
                window_days=health_rule.window_days,
                key_actions_total=health_rule.key_actions_total,
                activity_weight=health_rule.activity_weight,
                key_action_weight=health_rule.key_action_weight,
            )
            counts = (1, 1 if stuck_since else 0, 0, health.score, 1)
        # Rows describe the latest day assessed: a backfill of an older day leaves newer rows alone. A rebuild
        # re-derived the achievements through `as_of` only, so its rows (and assessed_through) win.
        if rebuild or company.progress_as_of is None or company.progress_as_of <= as_of:
            (active_rows if active else churned_rows).append(
                (
                    company.id,
                    as_of,
                    assessed_through,
                    active,
                    position.position,
                    position.current,
                    since,
                    (day - since).days,
                    stuck_since,
                    health.score if health else None,
                    health.active_days if health else 0,
                    health.key_actions_used if health else 0,
                    health.key_actions_total if health else health_rule.key_actions_total,
                    health_rule.window_days,
                    now,
                )
            )
        cohort = company.since.replace(day=1).isoformat()
        for target, key in (
            (cells, (position.position, position.current, company.segment, company.plan, cohort)),
            (csm_cells, (position.position, position.current, company.csm_id)),
        ):
            target[key] = [total + add for total, add in zip(target[key], counts, strict=True)]
    result.cells = [[*key, *counts] for key, counts in cells.items()]
    result.csm_cells = [[*key, *counts] for key, counts in csm_cells.items()]
    return active_rows, churned_rows
