"""Writes of the analytics: the daily snapshots (funnel, buyer stages, forecasts) and releases found in
events. Snapshots are derived data, rebuilt from the achievements and the company history for any range of
days: `snapshots_build` replaces the range's rows in one transaction, so a rerun writes the same rows."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Min, Sum
from django.db.models.fields.json import KT

from companies.models import Event
from core.bulk import bulk_load
from core.days import day_end, day_start, local_day
from core.locks import lease_acquire, lease_release
from funnel.forecast import HORIZONS, backtest, survival_curves, throughput
from funnel.members import (
    AnalyticsFilter,
    Member,
    cohort_key,
    members_load,
    scope_keys,
    scopes_of,
    stage_members_load,
    stuck_thresholds,
)
from funnel.models import ForecastDay, FunnelDay, Release, Scope, StageDay
from funnel.rules import funnel_days
from funnel.serialize import backtest_data, curve_data, throughput_data
from funnel.stages import stage_days
from journey.models import Stage
from milestones.models import FunnelSnapshot, Milestone

FUNNEL_FIELDS = [
    "as_of", "scope", "value", "position", "reached", "entered", "churned", "stuck",
    "median_days", "p80_days", "health_total", "health_count",
]  # fmt: skip
STAGE_FIELDS = [
    "as_of", "scope", "value", "stage", "companies", "up_7", "down_7", "up_30", "down_30", "timed",
    "median_days",
]  # fmt: skip


def _health(first: date, last: date) -> dict[tuple[str, str, date, int], tuple[int, int]]:
    """Health per scope, day and position, from the assessment's own snapshots (health is measured by the
    daily run; days it did not run have none)."""
    totals: dict[tuple[str, str, date, int], list[int]] = defaultdict(lambda: [0, 0])
    rows = (
        FunnelSnapshot.objects.filter(as_of__gte=first, as_of__lte=last, health_count__gt=0)
        .values_list("as_of", "position", "segment", "plan", "cohort")
        .annotate(total=Sum("health_total"), count=Sum("health_count"))
        .order_by()
    )
    for as_of, position, segment, plan, cohort, total, count in rows:
        for key in scopes_of(segment=segment, plan=plan, cohort=cohort_key(cohort)):
            cell = totals[(*key, as_of, position)]
            cell[0] += total
            cell[1] += count
    return {key: (total, count) for key, (total, count) in totals.items()}


def _grouped(members: list[Member]) -> dict[tuple[str, str], list[Member]]:
    groups: dict[tuple[str, str], list[Member]] = defaultdict(list)
    for member in members:
        for key in scope_keys(member):
            groups[key].append(member)
    return groups


def snapshots_build(*, first: date, last: date, forecasts: bool = True) -> dict:
    """Rewrite the funnel and buyer-stage snapshots of every day in [first, last] (and, with `forecasts`,
    the forecasts made on `last`). One build at a time (a lease); safe to repeat."""
    lease = lease_acquire("funnel-snapshots", ttl=timedelta(hours=2))
    try:
        return _build(first, last, forecasts)
    finally:
        lease_release(lease)


def _build(first: date, last: date, forecasts: bool) -> dict:
    started = time.perf_counter()
    phases: dict[str, float] = {}

    def lap(name: str) -> None:
        phases[name] = round(time.perf_counter() - started - sum(phases.values()), 2)

    milestones = list(Milestone.objects.in_sequence())
    sequence = [milestone.pk for milestone in milestones]
    members = members_load(AnalyticsFilter(), sequence)
    thresholds = stuck_thresholds(milestones)
    health = _health(first, last)
    lap("load")
    funnel_rows = []
    groups = _grouped(members)
    for (scope, value), group in groups.items():
        days = funnel_days(
            [m.journey for m in group],
            milestones=len(sequence),
            stuck_after=thresholds,
            first=first.toordinal(),
            last=last.toordinal(),
        )
        for ordinal, steps in days.items():
            day = date.fromordinal(ordinal)
            for position, counts in enumerate(steps):
                total, count = health.get((scope, value, day, position), (0, 0))
                funnel_rows.append(
                    (day, scope, value, position, counts.reached, counts.entered, counts.churned,
                     counts.stuck, counts.median_days, counts.p80_days, total, count)
                )  # fmt: skip
    lap("funnel")
    stage_rows = _stage_rows(first, last)
    lap("stages")
    forecast_rows = _forecast_rows(groups, len(sequence), last) if forecasts else []
    lap("forecasts")
    with transaction.atomic():
        FunnelDay.objects.filter(as_of__gte=first, as_of__lte=last).delete()
        StageDay.objects.filter(as_of__gte=first, as_of__lte=last).delete()
        written = bulk_load(FunnelDay, FUNNEL_FIELDS, funnel_rows)
        written += bulk_load(StageDay, STAGE_FIELDS, stage_rows)
        if forecasts:
            ForecastDay.objects.filter(as_of=last).delete()
            written += bulk_load(ForecastDay, ["as_of", "scope", "value", "data"], forecast_rows)
    lap("write")
    releases = releases_from_events(first=first, last=last)
    lap("releases")
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "companies": len(members),
        "rows": written,
        "releases_found": releases,
        "seconds": round(time.perf_counter() - started, 2),
        "phases": phases,
    }


def _stage_rows(first: date, last: date) -> list[tuple]:
    stages = list(Stage.objects.order_by("order"))
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for member in stage_members_load(AnalyticsFilter(), stages):
        for key in member.keys:
            groups[key].append(member.history)
    rows = []
    for (scope, value), histories in groups.items():
        days = stage_days(histories, stages=len(stages), first=first.toordinal(), last=last.toordinal())
        for ordinal, counts in days.items():
            day = date.fromordinal(ordinal)
            for stage, c in zip(stages, counts, strict=True):
                rows.append(
                    (day, scope, value, stage.pk, c.companies, c.up_7, c.down_7, c.up_30, c.down_30,
                     c.timed, c.median_days)
                )  # fmt: skip
    return rows


def _forecast_rows(groups: dict[tuple[str, str], list[Member]], milestones: int, day: date) -> list[tuple]:
    """The forecasts made on `day`: the curves come from every customer (scope "all"); each scope's
    throughput applies them to its own customers, and is backtested from 30 and 90 days before."""
    everyone = [m.journey for m in groups.get((Scope.ALL.value, ""), [])]
    as_of = day.toordinal()
    curves = survival_curves(everyone, milestones, as_of)
    past = {h: survival_curves(everyone, milestones, as_of - h) for h in HORIZONS}
    rows = []
    for (scope, value), group in groups.items():
        journeys = [m.journey for m in group]
        data: dict = {
            "throughput": {str(h): throughput_data(throughput(journeys, curves, as_of, h)) for h in HORIZONS},
            "backtest": {
                str(h): backtest_data(backtest(journeys, milestones, as_of - h, h, curves=past[h]))
                for h in HORIZONS
            },
        }
        if scope == Scope.ALL.value:
            data["curves"] = [curve_data(curve) for curve in curves]
        rows.append((day, scope, value, data))
    return rows


def releases_from_events(*, first: date, last: date) -> int:
    """Record a release for each event `version` first seen in [first, last] (and not known yet)."""
    found = (
        Event.objects.filter(
            occurred_at__gte=day_start(first), occurred_at__lt=day_end(last), properties__has_key="version"
        )
        .annotate(version=KT("properties__version"))
        .values("version")
        .annotate(first_seen=Min(local_day("occurred_at")))
        .order_by()
    )
    created = 0
    for row in found:
        version = (row["version"] or "").strip()[:100]
        if not version:
            continue
        release = Release.objects.filter(version=version).first()
        if release is None:
            Release.objects.create(
                date=row["first_seen"],
                name=f"Version {version}",
                version=version,
                source=Release.Source.EVENTS,
            )
            created += 1
        elif release.source == Release.Source.EVENTS and row["first_seen"] < release.date:
            Release.objects.filter(pk=release.pk).update(date=row["first_seen"])
    return created
