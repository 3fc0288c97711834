"""Reads of the analytics for the pages, the CSV exports and the API (one source for all three).

No filter, or any segment, plan and cohort: the day's snapshot rows (a dozen rows, however many companies).
A CSM (alone or with other filters): the same rules over the companies selected (a CSM's book is a few hundred
companies), from the achievements, so any day is right. Health comes from the daily assessment's own
snapshots, so days it did not run (or a CSM combined with another filter) have none."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Max, QuerySet, Sum

from core.days import day_end
from funnel.forecast import AccountForecast, Backtest, Throughput, account_forecast, throughput
from funnel.members import (
    AnalyticsFilter,
    members_load,
    stage_members_load,
    stuck_thresholds,
)
from funnel.models import ForecastDay, FunnelDay, Release, Scope, StageDay
from funnel.rules import MilestoneFigures, StepCounts, bottleneck, funnel_days, milestone_figures
from funnel.serialize import backtest_from, curve_from, throughput_from
from funnel.stages import StageCounts, stage_days
from journey.models import Stage, StageChange
from milestones.models import CompanyProgress, CsmFunnelSnapshot, FunnelSnapshot, Milestone

Health = dict[int, tuple[int, int]]


def last_day() -> date | None:
    """The last day with a snapshot (the last day assessed), or None before the first build."""
    day = FunnelDay.objects.filter(scope=Scope.ALL, value="").aggregate(day=Max("as_of"))["day"]
    if day is None:
        day = FunnelSnapshot.objects.aggregate(day=Max("as_of"))["day"]
    return day


def _health_live(flt: AnalyticsFilter, first: date, last: date) -> dict[date, Health]:
    rows: QuerySet
    if flt.csm_id is not None and flt.segment is None and flt.plan is None and flt.cohort is None:
        rows = CsmFunnelSnapshot.objects.filter(csm_id=flt.csm_id)
    elif flt.csm_id is None:
        rows = FunnelSnapshot.objects.filter(
            **{k: v for k, v in (("segment", flt.segment), ("plan", flt.plan), ("cohort", flt.cohort)) if v}
        )
    else:
        return {}
    result: dict[date, Health] = defaultdict(dict)
    for as_of, position, total, count in (
        rows.filter(as_of__gte=first, as_of__lte=last)
        .values_list("as_of", "position")
        .annotate(Sum("health_total"), Sum("health_count"))
        .order_by()
    ):
        result[as_of][position] = (total, count)
    return result


def funnel_series(
    flt: AnalyticsFilter, first: date, last: date, milestones: list[Milestone]
) -> tuple[dict[date, tuple[list[StepCounts], Health]], str]:
    """Per day of [first, last], the counts of each position and the health by position; and where they
    came from ("snapshot" or "live"). Snapshot scopes list only the days that have a snapshot."""
    scope = flt.scope
    size = len(milestones) + 1
    if scope is not None:
        rows = FunnelDay.objects.filter(
            scope=scope[0], value=scope[1], as_of__gte=first, as_of__lte=last, position__lt=size
        ).values_list(
            "as_of", "position", "reached", "entered", "churned", "stuck", "median_days", "p80_days",
            "health_total", "health_count",
        )  # fmt: skip
        days: dict[date, tuple[list, Health]] = {}
        for as_of, position, reached, entered, churned, stuck, median, p80, total, count in rows.order_by(
            "as_of", "position"
        ):
            steps, by_position = days.setdefault(as_of, ([], {}))
            steps.append(StepCounts(reached, entered, churned, stuck, median, p80))
            if count:
                by_position[position] = (total, count)
        complete = {day: value for day, value in days.items() if len(value[0]) == size}
        if complete or first != last:
            return complete, "snapshot"
    members = members_load(flt, [m.pk for m in milestones])
    computed = funnel_days(
        [m.journey for m in members],
        milestones=len(milestones),
        stuck_after=stuck_thresholds(milestones),
        first=first.toordinal(),
        last=last.toordinal(),
    )
    measured = _health_live(flt, first, last)
    return {
        date.fromordinal(day): (steps, measured.get(date.fromordinal(day), {}))
        for day, steps in computed.items()
    }, "live"


@dataclass(frozen=True)
class FunnelView:
    as_of: date
    rows: list[tuple[Milestone, MilestoneFigures]]
    customers: int  # customers on the day
    completed: int  # past the last milestone
    churned: int  # churned by the day (in the filter)
    source: str

    @property
    def bottleneck(self) -> tuple[Milestone, MilestoneFigures] | None:
        worst = bottleneck([figures for _, figures in self.rows])
        return self.rows[worst.number - 1] if worst else None


def funnel_view(flt: AnalyticsFilter, day: date) -> FunnelView:
    milestones = list(Milestone.objects.in_sequence().select_related("phase"))
    series, source = funnel_series(flt, day, day, milestones)
    steps, health = series.get(day) or ([StepCounts(0, 0, 0, 0, None, None)] * (len(milestones) + 1), {})
    figures = milestone_figures(steps, health)
    return FunnelView(
        as_of=day,
        rows=list(zip(milestones, figures, strict=True)),
        customers=steps[0].reached,
        completed=steps[-1].reached if milestones else 0,
        churned=sum(step.churned for step in steps),
        source=source,
    )


@dataclass(frozen=True)
class TrendPoint:
    day: date
    figures: list[MilestoneFigures]
    customers: int


def trends(flt: AnalyticsFilter, first: date, last: date) -> tuple[list[Milestone], list[TrendPoint]]:
    milestones = list(Milestone.objects.in_sequence())
    series, _ = funnel_series(flt, first, last, milestones)
    points = [
        TrendPoint(day, milestone_figures(steps, health), steps[0].reached)
        for day, (steps, health) in sorted(series.items())
    ]
    return milestones, points


# --- Releases -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    reached: int  # companies that reached the milestone in the window …
    working: int  # … of those working on it during the window (at it on the eve, or arriving)


@dataclass(frozen=True)
class ReleaseImpact:
    release: Release
    days: int
    complete: bool  # the N days after the release are all past
    rows: list[tuple[Milestone, Window, Window]]  # before, after


def _window(start: list[StepCounts], end: list[StepCounts], k: int) -> Window:
    """Milestone k over a window from the eve `start` to its last day `end`."""
    working_at_start = start[k - 1].reached - start[k].reached
    arrived = end[k - 1].entered - start[k - 1].entered
    return Window(end[k].entered - start[k].entered, working_at_start + arrived)


def release_impacts(flt: AnalyticsFilter, days: int, through: date) -> list[ReleaseImpact]:
    """Per release, per milestone: the share of the companies working on it that reached it in the N days
    before the release and in the N days from it on (so far, when they are not all past)."""
    releases = list(Release.objects.filter(date__lte=through).order_by("-date")[:12])
    milestones = list(Milestone.objects.in_sequence())
    if not releases or not milestones:
        return []
    first = min(r.date for r in releases) - timedelta(days=days + 1)
    series, _ = funnel_series(flt, first, through, milestones)
    impacts = []
    for release in releases:
        eve, before_eve = release.date - timedelta(days=1), release.date - timedelta(days=days + 1)
        end = min(release.date + timedelta(days=days - 1), through)
        if not all(d in series for d in (eve, before_eve, end)):
            continue
        b0, b1, a1 = series[before_eve][0], series[eve][0], series[end][0]
        rows = [
            (milestone, _window(b0, b1, k), _window(b1, a1, k)) for k, milestone in enumerate(milestones, 1)
        ]
        impacts.append(ReleaseImpact(release, days, end == release.date + timedelta(days=days - 1), rows))
    return impacts


# --- Buyer funnel ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuyerView:
    as_of: date
    rows: list[tuple[Stage, StageCounts]]
    movers: list[StageChange]
    source: str


def buyer_funnel(flt: AnalyticsFilter, day: date, movers: int = 15) -> BuyerView:
    stages = list(Stage.objects.order_by("order"))
    scope = flt.scope
    counts: list[StageCounts] | None = None
    source = "snapshot"
    if scope is not None:
        by_stage = {
            row[0]: StageCounts(*row[1:])
            for row in StageDay.objects.filter(scope=scope[0], value=scope[1], as_of=day).values_list(
                "stage_id", "companies", "up_7", "down_7", "up_30", "down_30", "timed", "median_days"
            )
        }
        if len(by_stage) == len(stages):
            counts = [by_stage[stage.pk] for stage in stages]
    if counts is None:
        source = "live"
        histories = [m.history for m in stage_members_load(flt, stages)]
        ordinal = day.toordinal()
        counts = stage_days(histories, stages=len(stages), first=ordinal, last=ordinal)[ordinal]
    recent = (
        StageChange.objects.filter(at__lt=day_end(day), at__gte=day_end(day) - timedelta(days=7))
        .filter(flt.condition("company__"))
        .select_related("company", "from_stage", "to_stage")
        .order_by("-at")[:movers]
    )
    return BuyerView(day, list(zip(stages, counts, strict=True)), list(recent), source)


def stage_trends(flt: AnalyticsFilter, first: date, last: date) -> tuple[list[Stage], dict[date, list[int]]]:
    """Companies per buyer-journey stage on each day of [first, last] (snapshot days, or computed for a
    CSM's book)."""
    stages = list(Stage.objects.order_by("order"))
    scope = flt.scope
    if scope is not None:
        index = {stage.pk: number for number, stage in enumerate(stages)}
        days: dict[date, list[int]] = {}
        for as_of, stage_id, companies in StageDay.objects.filter(
            scope=scope[0], value=scope[1], as_of__gte=first, as_of__lte=last
        ).values_list("as_of", "stage_id", "companies"):
            days.setdefault(as_of, [0] * len(stages))[index[stage_id]] = companies
        return stages, days
    histories = [m.history for m in stage_members_load(flt, stages)]
    computed = stage_days(histories, stages=len(stages), first=first.toordinal(), last=last.toordinal())
    return stages, {date.fromordinal(d): [c.companies for c in counts] for d, counts in computed.items()}


# --- Forecasts ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastView:
    as_of: date
    milestones: list[Milestone]
    throughput: dict[int, list[Throughput]]  # by horizon
    backtests: dict[int, Backtest]


def _forecast_row(day: date, scope: tuple[str, str]) -> dict | None:
    return (
        ForecastDay.objects.filter(scope=scope[0], value=scope[1], as_of__lte=day)
        .order_by("-as_of")
        .values_list("data", flat=True)
        .first()
    )


def forecasts(flt: AnalyticsFilter, day: date) -> ForecastView | None:
    """The forecasts of the latest build on or before `day` (None before the first). With a CSM:
    the stored curves applied to the companies selected; the backtest is the workspace's."""
    milestones = list(Milestone.objects.in_sequence())
    scope = flt.scope
    data = _forecast_row(day, scope) if scope is not None else None
    if data is None:
        everyone = _forecast_row(day, (Scope.ALL.value, ""))
        if everyone is None:
            return None
        curves = [curve_from(c) for c in everyone["curves"]]
        journeys = [m.journey for m in members_load(flt, [m.pk for m in milestones])]
        data = {
            "throughput": {
                h: [vars(row) for row in throughput(journeys, curves, day.toordinal(), int(h))]
                for h in everyone["throughput"]
            },
            "backtest": everyone["backtest"],
        }
    return ForecastView(
        as_of=day,
        milestones=milestones,
        throughput={int(h): throughput_from(rows) for h, rows in data["throughput"].items()},
        backtests={int(h): backtest_from(result) for h, result in data["backtest"].items()},
    )


def company_forecast(*, company_id: int) -> AccountForecast | None:
    """The next milestone of a customer: the expected day and the chance within 90 days, from the latest
    survival curves. None for a company that is not an active customer or has no forecast yet."""
    progress = CompanyProgress.objects.filter(company_id=company_id, active=True).first()
    if progress is None or progress.current_milestone_id is None:
        return None
    data = _forecast_row(progress.as_of, (Scope.ALL.value, ""))
    if data is None or progress.position >= len(data["curves"]):
        return None
    curve = curve_from(data["curves"][progress.position])
    return account_forecast(curve, progress.position, progress.days_at_position)
