"""Forecasts from the funnel (the seed: "knowing the conversion rate of a funnel makes you able to predict
its throughput"), as plain functions over journeys (funnel/rules.py).

Time at position k is a survival problem: every company that reached position k while a customer is
followed from sₖ until it reaches k+1 (the event), or until the day of the forecast or its churn, whichever
came first (censored: still waiting, so it counts as "not yet" for as long as it was seen, rather than
being dropped). Kaplan–Meier turns that into S(t), the share still at the position after t days.

- Per account, at position k for d days: P(next milestone within h days) = 1 − S(d+h)/S(d), and the
  expected day is when S(t)/S(d) falls to ½ (the median of the remaining time), if the data reach it.
- Throughput: the customers at each position now, each with its own P(within h); the expected number
  reaching the next milestone is their sum, and the range ±1.96 standard deviations of that sum (a sum of
  independent yes/no outcomes), rounded outwards. Only the next milestone is counted per customer.
- Both decline below MIN_GROUP companies followed."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from funnel.rules import Journey, is_customer_on, position_on
from funnel.stats import Z95, Survival, kaplan_meier

MIN_GROUP = 20
HORIZONS = (30, 90)


def time_at_position(journeys: Sequence[Journey], position: int, as_of: int) -> list[tuple[int, bool]]:
    """(days followed, reached the next position) of every company that reached `position` as a customer
    by `as_of`."""
    observations = []
    for journey in journeys:
        steps = (journey.since, *journey.steps)
        if position >= len(steps) or steps[position] > as_of:
            continue
        start = steps[position]
        end = as_of if journey.churned is None else min(as_of, journey.churned)
        if end <= start and not (position + 1 < len(steps) and steps[position + 1] <= end):
            continue  # churned the day it got there: never waited
        if position + 1 < len(steps) and steps[position + 1] <= end:
            observations.append((steps[position + 1] - start, True))
        else:
            observations.append((end - start, False))
    return observations


def survival_curves(journeys: Sequence[Journey], milestones: int, as_of: int) -> list[Survival]:
    """The Kaplan–Meier curve of time at each position 0…milestones−1, as known on `as_of`."""
    return [kaplan_meier(time_at_position(journeys, k, as_of)) for k in range(milestones)]


def reach_probability(curve: Survival, waited: int, horizon: int) -> float:
    """P(reaching the next milestone within `horizon` days | still waiting after `waited` days)."""
    now = curve.at(waited)
    if now <= 0:
        return 0.0
    return 1 - curve.at(waited + horizon) / now


@dataclass(frozen=True)
class AccountForecast:
    position: int
    waited: int  # days at position
    group: int  # companies followed longer than `waited` days at this position
    probability: float | None  # of the next milestone within 90 days; None: declined
    days_to_go: int | None  # median remaining days; None: declined or beyond the data

    @property
    def declined(self) -> bool:
        return self.probability is None


def account_forecast(curve: Survival, position: int, waited: int, horizon: int = 90) -> AccountForecast:
    group = curve.followed_beyond(waited)
    if group < MIN_GROUP:
        return AccountForecast(position, waited, group, None, None)
    now = curve.at(waited)
    days_to_go = None
    if now > 0:
        for t, value in zip(curve.times, curve.values, strict=True):
            if t > waited and value / now <= 0.5 + 1e-9:  # exactly half, despite rounding
                days_to_go = t - waited
                break
    return AccountForecast(position, waited, group, reach_probability(curve, waited, horizon), days_to_go)


@dataclass(frozen=True)
class Throughput:
    milestone: int  # 1-based: customers reaching this milestone
    horizon: int
    waiting: int  # customers working on it now
    group: int  # companies the curve rests on
    expected: float | None  # None: declined (group below MIN_GROUP)
    low: int | None
    high: int | None


def throughput(
    journeys: Sequence[Journey], curves: Sequence[Survival], as_of: int, horizon: int
) -> list[Throughput]:
    """Per milestone, the expected number of today's customers reaching it within `horizon` days."""
    waiting: list[list[int]] = [[] for _ in curves]
    for journey in journeys:
        if not is_customer_on(journey, as_of):
            continue
        position = position_on(journey, as_of)
        if position < len(curves):
            since = (journey.since, *journey.steps)[position]
            waiting[position].append(as_of - since)
    result = []
    for position, curve in enumerate(curves):
        days = waiting[position]
        if curve.subjects < MIN_GROUP:
            result.append(Throughput(position + 1, horizon, len(days), curve.subjects, None, None, None))
            continue
        chances = [reach_probability(curve, waited, horizon) for waited in days]
        expected = sum(chances)
        spread = Z95 * math.sqrt(sum(p * (1 - p) for p in chances))
        low = max(0, math.floor(expected - spread))
        high = min(len(days), math.ceil(expected + spread))
        result.append(Throughput(position + 1, horizon, len(days), curve.subjects, expected, low, high))
    return result


def reached_within(journeys: Sequence[Journey], as_of: int, horizon: int, milestones: int) -> list[int]:
    """What happened: per milestone, the customers of `as_of` at the position before it that reached it in
    the `horizon` days after (the quantity `throughput` forecasts)."""
    actual = [0] * milestones
    for journey in journeys:
        if not is_customer_on(journey, as_of):
            continue
        position = position_on(journey, as_of)
        steps = journey.steps
        if position < min(milestones, len(steps)) and as_of < steps[position] <= as_of + horizon:
            actual[position] += 1
    return actual


@dataclass(frozen=True)
class Calibration:
    """The per-account forecast against what happened: for each customer it did not decline, P(next
    milestone within the horizon) against 1 or 0."""

    accounts: int
    brier: float | None  # mean of (P − outcome)²: 0 is perfect, 0.25 is a coin toss at ½
    predicted: float | None  # mean P
    happened: float | None  # share that did reach it


def calibration(
    journeys: Sequence[Journey], curves: Sequence[Survival], as_of: int, horizon: int
) -> Calibration:
    pairs = []
    for journey in journeys:
        if not is_customer_on(journey, as_of):
            continue
        position = position_on(journey, as_of)
        if position >= len(curves):
            continue
        steps = (journey.since, *journey.steps)
        forecast = account_forecast(curves[position], position, as_of - steps[position], horizon)
        if forecast.probability is None:
            continue
        reached = position + 1 < len(steps) and steps[position + 1] <= as_of + horizon
        pairs.append((forecast.probability, 1.0 if reached else 0.0))
    if not pairs:
        return Calibration(0, None, None, None)
    count = len(pairs)
    return Calibration(
        count,
        sum((p - y) ** 2 for p, y in pairs) / count,
        sum(p for p, _ in pairs) / count,
        sum(y for _, y in pairs) / count,
    )


@dataclass(frozen=True)
class Backtest:
    as_of: int  # the past day the forecast was made on
    horizon: int
    rows: list[tuple[Throughput, int]]  # forecast and what happened, per milestone
    accounts: Calibration

    @property
    def day(self) -> date:
        return date.fromordinal(self.as_of)

    @property
    def forecast_total(self) -> float:
        return sum(row.expected or 0 for row, _ in self.rows if row.expected is not None)

    @property
    def actual_total(self) -> int:
        return sum(actual for row, actual in self.rows if row.expected is not None)

    @property
    def error(self) -> float | None:
        """Relative error of the total: (forecast − actual) / actual."""
        actual = self.actual_total
        return (self.forecast_total - actual) / actual if actual else None

    @property
    def within_range(self) -> tuple[int, int]:
        """Milestones whose actual count fell inside the forecast's range, of those forecast."""
        forecast = [(row, actual) for row, actual in self.rows if row.expected is not None]
        inside = sum(
            1
            for row, actual in forecast
            if row.low is not None and row.high is not None and row.low <= actual <= row.high
        )
        return inside, len(forecast)


def backtest(
    journeys: Sequence[Journey],
    milestones: int,
    as_of: int,
    horizon: int,
    *,
    curves: Sequence[Survival] | None = None,
) -> Backtest:
    """The throughput forecast made as of the past day `as_of` (only what was known then), against what
    happened in the `horizon` days after it. `curves`: the curves as known on `as_of`, when computed
    already (from every customer)."""
    if curves is None:
        curves = survival_curves(journeys, milestones, as_of)
    forecast = throughput(journeys, curves, as_of, horizon)
    actual = reached_within(journeys, as_of, horizon, milestones)
    return Backtest(
        as_of,
        horizon,
        list(zip(forecast, actual, strict=True)),
        calibration(journeys, curves, as_of, horizon),
    )
