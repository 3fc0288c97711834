"""Reads for the company pages. Every lookup goes through the user's scope (CSMs: their own companies)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.charts import StepChart, step_chart
from core.days import day_start
from journey.models import Company, Event, MetricValue
from journey.scoring.engine import LOOKBACK, Change, Step
from journey.scoring.engine import replay as engine_replay
from journey.scoring.loading import journey_replay
from journey.scoring.suggest import Suggestion, next_moves


def company_list(*, user) -> QuerySet[Company]:
    return Company.objects.visible_to(user).select_related(
        "csm", "progress", "progress__current_milestone", "journey", "journey__stage"
    )


def company_get(*, user, external_id: str) -> Company:
    """The company if the user may see it; 404 otherwise, so other CSMs' companies do not even exist."""
    return get_object_or_404(company_list(user=user), external_id=external_id)


def company_events(*, company: Company) -> QuerySet[Event]:
    # Served by event_company_time, newest first.
    return (
        Event.objects.filter(company=company)
        .select_related("type", "contact")
        .order_by("-occurred_at", "-id")
    )


@dataclass(frozen=True)
class MetricReading:
    metric: str
    value: float
    date: date


def company_latest_metrics(*, company: Company) -> list[MetricReading]:
    """The latest value of each metric (a company reports a handful of metrics, tens of values each)."""
    latest: dict[str, MetricReading] = {}
    for metric, value, day in (
        MetricValue.objects.filter(company=company)
        .order_by("metric", "-date")
        .values_list("metric", "value", "date")
    ):
        latest.setdefault(metric, MetricReading(metric, value, day))
    return list(latest.values())


@dataclass(frozen=True)
class LifecycleSummary:
    customers: int
    prospects: int
    churned: int
    mrr: float


def lifecycle_summary(companies: QuerySet[Company]) -> LifecycleSummary:
    counts = dict(
        companies.order_by().values("lifecycle").annotate(n=Count("id")).values_list("lifecycle", "n")
    )
    mrr = companies.filter(lifecycle=Company.Lifecycle.CUSTOMER).aggregate(total=Sum("mrr"))["total"] or 0
    return LifecycleSummary(
        customers=counts.get(Company.Lifecycle.CUSTOMER, 0),
        prospects=counts.get(Company.Lifecycle.PROSPECT, 0),
        churned=counts.get(Company.Lifecycle.CHURNED, 0),
        mrr=float(mrr),
    )


def event_watermark() -> int:
    """The highest event id that no later commit can go under: ids are taken when a row is inserted, not
    when it commits, so the events received in the last WAYPOINT_EVENT_SETTLE_SECONDS (longer than any
    ingestion transaction) are left for the next run. Walks the primary key from the top: fast however
    large the table."""
    cutoff = timezone.now() - timedelta(seconds=settings.WAYPOINT_EVENT_SETTLE_SECONDS)
    newest = (
        Event.objects.filter(received_at__lte=cutoff).order_by("-id").values_list("id", flat=True).first()
    )
    return newest or 0


# --- The buyer journey of one company (DESIGN §3.7) -----------------------------------------------------------


@dataclass(frozen=True)
class JourneyExplanation:
    at: datetime
    score: int
    stage: str
    stage_name: str
    stages: list[tuple[int, str, str]]  # (lower bound, key, name)
    stage_names: dict[str, str]
    decay_days: int
    last_engagement_at: datetime | None
    next_decay_at: datetime | None
    next_decay_score: int | None  # the score after that step, without engagement before it
    steps: list[Step]  # most recent first
    changes: list[Change]  # stage changes, most recent first
    suggestions: list[Suggestion]
    chart: StepChart

    @property
    def track(self) -> list[tuple[str, str, float, bool]]:
        """(key, name, width %, reached) of each stage, for the stage track."""
        bounds = [lower for lower, _, _ in self.stages] + [1000]
        return [
            (key, name, (bounds[index + 1] - lower) / 10, lower <= self.score)
            for index, (lower, key, name) in enumerate(self.stages)
        ]


def journey_explanation(
    *, company: Company, at: datetime | None = None, chart_days: int = 90
) -> JourneyExplanation:
    """Why the company's score is what it is at `at` (default now): its events replayed with every step, what
    would move it next, and its score over the last `chart_days`."""
    at = at or timezone.now()
    replayed = journey_replay(company=company, until=at)
    config, state = replayed.scoring.config, replayed.result.state
    steps = replayed.result.steps
    next_score = None
    if state.next_decay_at is not None:
        after = engine_replay(
            [], config, state.next_decay_at, state=replace(state, boosts=list(state.boosts))
        )
        next_score = after.state.score
    recent = [event for event in replayed.events if event.at >= state.through - LOOKBACK]
    start = at - timedelta(days=chart_days)
    before = [step for step in steps if step.at < start]
    ticks, month = [], date(start.year, start.month, 1)
    while True:
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        moment = day_start(month)
        if moment > at:
            break
        ticks.append((moment, month.strftime("%b")))
    chart = step_chart(
        [(step.at, step.score) for step in steps if step.at >= start],
        start=start,
        end=at,
        initial=before[-1].score if before else 0,
        top=1000,
        gridlines=[(lower, name) for lower, _, name in config.stages if lower > 0],
        ticks=ticks,
    )
    return JourneyExplanation(
        at=at,
        score=state.score,
        stage=config.stage_of(state.score),
        stage_name=config.stage_name(config.stage_of(state.score)),
        stages=list(config.stages),
        stage_names={key: name for _, key, name in config.stages},
        decay_days=config.decay_every.days,
        last_engagement_at=state.last_engagement_at,
        next_decay_at=state.next_decay_at,
        next_decay_score=next_score,
        steps=steps[::-1],
        changes=replayed.result.changes[::-1],
        suggestions=next_moves(config, state, recent, state.through),
        chart=chart,
    )
