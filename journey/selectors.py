"""Reads of the buyer journey: why a company's score is what it is (DESIGN §3.7)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.utils import timezone

from companies.models import Company
from core.charts import StepChart, step_chart
from core.days import day_start
from journey.scoring.domain import LOOKBACK, MAX_SCORE, Change, Config, Step
from journey.scoring.engine import replay as engine_replay
from journey.scoring.loading import journey_replay
from journey.scoring.suggest import Suggestion, next_moves


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
    chart: StepChart | None  # None when not asked for (the API)

    @property
    def track(self) -> list[tuple[str, str, float, bool]]:
        """(key, name, width %, reached) of each stage, for the stage track."""
        bounds = [lower for lower, _, _ in self.stages] + [MAX_SCORE]
        return [
            (key, name, (bounds[index + 1] - lower) / 10, lower <= self.score)
            for index, (lower, key, name) in enumerate(self.stages)
        ]


def journey_explanation(
    *, company: Company, at: datetime | None = None, chart_days: int | None = 90
) -> JourneyExplanation:
    """Why the company's score is what it is at `at` (default now): its events replayed with every step, what
    would move it next, and its score over the last `chart_days` (no chart with None)."""
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
    through = state.through
    assert through is not None  # replay brings the state to `until`
    recent = [event for event in replayed.events if event.at >= through - LOOKBACK]
    chart = _score_chart(steps, config, at, chart_days) if chart_days else None
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
        suggestions=next_moves(config, state, recent, through),
        chart=chart,
    )


def _score_chart(steps: list[Step], config: Config, at: datetime, days: int) -> StepChart:
    """The score over the `days` before `at`, with a gridline at each stage's lower bound."""
    start = at - timedelta(days=days)
    before = [step for step in steps if step.at < start]
    ticks, month = [], date(start.year, start.month, 1)
    while True:
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        moment = day_start(month)
        if moment > at:
            break
        ticks.append((moment, month.strftime("%b")))
    return step_chart(
        [(step.at, step.score) for step in steps if step.at >= start],
        start=start,
        end=at,
        initial=before[-1].score if before else 0,
        top=MAX_SCORE,
        gridlines=[(lower, name) for lower, _, name in config.stages if lower > 0],
        ticks=ticks,
    )
