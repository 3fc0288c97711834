"""Reads of the methodology and of companies' progress through it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, F, Max, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from companies.models import Company, Event, EventType, MetricValue
from core.days import day_end, day_start, local_day
from milestones import rules
from milestones.models import (
    Achievement,
    CompanyProgress,
    Criterion,
    FunnelSnapshot,
    HealthSettings,
    Milestone,
)


def milestone_sequence() -> list[Milestone]:
    """Milestones in journey order: phase order, then milestone order."""
    return list(Milestone.objects.in_sequence())


@dataclass(frozen=True)
class TimelineEntry:
    milestone: Milestone
    achieved_on: date | None
    state: (
        str  # "done" (in the unbroken run), "out_of_order" (achieved, predecessor missing), "current", "todo"
    )


def company_timeline(*, company: Company) -> list[TimelineEntry]:
    """Each milestone in sequence with the company's achievement date. The position is the unbroken run of
    achieved milestones from the first (DESIGN §4.3); the current milestone is the one after it."""
    achieved = dict(Achievement.objects.filter(company=company).values_list("milestone_id", "achieved_on"))
    entries: list[TimelineEntry] = []
    in_run = True
    for milestone in milestone_sequence():
        day = achieved.get(milestone.pk)
        if day is not None and in_run:
            state = "done"
        elif day is not None:
            state = "out_of_order"
        elif in_run:
            state, in_run = "current", False
        else:
            state = "todo"
        entries.append(TimelineEntry(milestone, day, state))
    return entries


def company_progress(*, company: Company) -> CompanyProgress | None:
    return CompanyProgress.objects.select_related("current_milestone").filter(company=company).first()


def stuck_accounts(*, user) -> QuerySet[CompanyProgress]:
    """The user's stuck customers, longest stuck first (served by the progress_stuck partial index)."""
    companies = Company.objects.visible_to(user).filter(csm=user)
    return (
        CompanyProgress.objects.filter(company__in=companies, active=True, stuck_since__isnull=False)
        .select_related("company", "current_milestone")
        .order_by("stuck_since", "company__name")
    )


@dataclass(frozen=True)
class FunnelRow:
    milestone: Milestone
    reached: int  # customers whose position is past this milestone
    at: int  # customers working on it
    stuck: int
    mean_health: float | None


@dataclass(frozen=True)
class Funnel:
    as_of: date | None
    customers: int
    rows: list[FunnelRow]
    completed: int  # customers past the last milestone

    @property
    def bottleneck(self) -> FunnelRow | None:
        stuck = [row for row in self.rows if row.stuck]
        return max(stuck, key=lambda row: row.stuck) if stuck else None


def funnel_latest() -> Funnel:
    """The success funnel of the latest snapshot day: per milestone, the active customers that reached it
    (position ≥ its number), work on it, and are stuck at it."""
    as_of = FunnelSnapshot.objects.aggregate(day=Max("as_of"))["day"]
    sequence = milestone_sequence()
    if as_of is None:
        return Funnel(None, 0, [FunnelRow(m, 0, 0, 0, None) for m in sequence], 0)
    by_position = {
        row["position"]: row
        for row in FunnelSnapshot.objects.filter(as_of=as_of)
        .values("position")
        .annotate(
            customers=Sum("customers"),
            stuck=Sum("stuck"),
            health_total=Sum("health_total"),
            health_count=Sum("health_count"),
        )
    }
    total = sum(row["customers"] for row in by_position.values())
    rows = []
    for index, milestone in enumerate(sequence):
        here = by_position.get(index, {})
        reached = sum(row["customers"] for position, row in by_position.items() if position > index)
        health_count = here.get("health_count") or 0
        rows.append(
            FunnelRow(
                milestone=milestone,
                reached=reached,
                at=here.get("customers", 0),
                stuck=here.get("stuck", 0),
                mean_health=round(here["health_total"] / health_count, 1) if health_count else None,
            )
        )
    completed = sum(row["customers"] for position, row in by_position.items() if position >= len(sequence))
    return Funnel(as_of, total, rows, completed)


# --- One company on one day (the journey API, DESIGN §11) -------------------------------------------------------


@dataclass(frozen=True)
class CriterionValue:
    criterion: Criterion
    value: float | int | None  # the count, ratio or metric on the day; None: no metric value, no denominator
    met: bool


def company_criteria_values(
    *, company: Company, day: date, criteria: Sequence[Criterion] | None = None
) -> dict[int, CriterionValue]:
    """Each criterion's value for one company at the end of `day` (default: every criterion), by criterion
    id, read as the assessment reads it (milestones/rules.py): an event count all-time or in the W days
    ending on `day`, the metric's latest value on or before `day`, a ratio of two counts over one window.
    The same few queries whatever the number of criteria: event types, one filtered count per (event,
    condition, window) in one pass over the company's events, and the latest value of each metric."""
    criteria = list(Criterion.objects.order_by("pk") if criteria is None else criteria)
    counted = [c for c in criteria if c.kind != Criterion.Kind.METRIC]
    names = {c.event_name for c in counted} | {c.denominator_event_name for c in counted if c.kind == "ratio"}
    type_ids = dict(EventType.objects.filter(name__in=names).values_list("name", "id")) if names else {}
    columns: dict[tuple, str] = {}
    aggregates = {}
    for criterion in counted:
        keys = [(criterion.event_name, criterion.property_condition, criterion.window_days)]
        if criterion.kind == Criterion.Kind.RATIO:
            keys.append((criterion.denominator_event_name, None, criterion.window_days))
        for key in keys:
            name, condition, window = key
            if key in columns or name not in type_ids:
                continue
            columns[key] = f"n{len(columns)}"
            where = Q(type_id=type_ids[name]) & (condition.as_q() if condition else Q())
            if window:
                where &= Q(occurred_at__gte=day_start(day - timedelta(days=window - 1)))
            aggregates[columns[key]] = Count("pk", filter=where)
    counts = {}
    if aggregates:
        counts = Event.objects.filter(
            company=company, type_id__in=set(type_ids.values()), occurred_at__lt=day_end(day)
        ).aggregate(**aggregates)
    metric_names = {c.metric for c in criteria if c.kind == Criterion.Kind.METRIC}
    latest = {}
    if metric_names:
        latest = dict(
            MetricValue.objects.filter(company=company, metric__in=metric_names, date__lte=day)
            .annotate(rank=Window(RowNumber(), partition_by=[F("metric")], order_by=F("date").desc()))
            .filter(rank=1)
            .values_list("metric", "value")
        )

    def count(name: str, condition, window: int | None) -> int:
        column = columns.get((name, condition, window))  # none: no event of that name was ever received
        return (counts.get(column) or 0) if column else 0

    values = {}
    for criterion in criteria:
        check = rules.Check(
            criterion.pk, criterion.kind, criterion.comparator, criterion.threshold,
            criterion.window_days, criterion.min_denominator,
        )  # fmt: skip
        if criterion.kind == Criterion.Kind.METRIC:
            value = latest.get(criterion.metric)
            met = rules.metric_holds(check, value)
        elif criterion.kind == Criterion.Kind.RATIO:
            top = count(criterion.event_name, criterion.property_condition, criterion.window_days)
            bottom = count(criterion.denominator_event_name, None, criterion.window_days)
            value = top / bottom if bottom else None
            met = rules.ratio_holds(check, top, bottom)  # never divides by 0: min_denominator ≥ 1
        else:
            value = count(criterion.event_name, criterion.property_condition, criterion.window_days)
            met = rules.count_holds(check, value)
        values[criterion.pk] = CriterionValue(criterion, value, met)
    return values


def company_health(*, company: Company, day: date) -> rules.Health:
    """Health at the end of `day` (DESIGN §4.6), as the daily assessment computes it."""
    health = HealthSettings.current()
    key_actions = set(health.key_actions)
    row = Event.objects.filter(
        company=company,
        occurred_at__gte=day_start(day - timedelta(days=health.window_days - 1)),
        occurred_at__lt=day_end(day),
    ).aggregate(
        active_days=Count(local_day("occurred_at"), distinct=True),
        key_actions=Count(
            "type_id",
            distinct=True,
            filter=Q(type_id__in=EventType.objects.filter(name__in=key_actions).values("id")),
        ),
    )
    return rules.health_of(
        row["active_days"],
        row["key_actions"],
        window_days=health.window_days,
        key_actions_total=len(key_actions),
        activity_weight=health.activity_weight,
        key_action_weight=health.key_action_weight,
    )
