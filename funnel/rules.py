"""The success funnel of DESIGN §5 as plain functions over plain data (days are date ordinals).

A company's journey is the days it reached each position: s₀ = customer_since and sₖ = max(s₀, the
achievement days of milestones 1…k), for the unbroken run from the first milestone (milestones/rules.py,
`position_of`). Achievements after a churn do not count: a churned company keeps the position it had.
On day D, a company is a customer when s₀ ≤ D and it has not churned by D (churned_on > D), and its
position is the number of k ≥ 1 with sₖ ≤ D. From there, for milestone k (1-based):

- reached: customers on D at position ≥ k; at: customers at position k−1 (working on it);
- conversion: reached(k) / reached(k−1), with reached(0) = every customer on D;
- days from the previous milestone: sₖ − sₖ₋₁ of every company that reached k by D, customer or since
  churned (time to a milestone is a fact about that step); median and 80th percentile by nearest rank;
- stuck: customers at position k−1 whose days at position exceed the smallest threshold of the CTA rules
  for milestone k (DESIGN §4.3) — stuck from sₖ₋₁ + threshold + 1;
- churned: companies that churned by D while working on milestone k; churn rate = churned / (churned + at).

`funnel_days` sweeps any range of days in one pass: every count changes only on the days in a journey."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from funnel.stats import RankCounter

MEDIAN, P80 = 0.5, 0.8


@dataclass(frozen=True)
class Journey:
    since: int  # s₀: customer_since
    churned: int | None  # churned_on, if it churned
    steps: tuple[int, ...]  # s₁…sₚ, non-decreasing; p is its position (at churn, for a churned company)


def journey_of(sequence: Sequence[int], achieved: dict[int, int], since: int, churned: int | None) -> Journey:
    """`sequence`: milestone ids in journey order; `achieved`: milestone id → day achieved."""
    steps: list[int] = []
    reached = since
    for milestone_id in sequence:
        day = achieved.get(milestone_id)
        if day is None or (churned is not None and day > churned):
            break
        reached = max(reached, day)
        steps.append(reached)
    return Journey(since, churned, tuple(steps))


def position_on(journey: Journey, day: int) -> int:
    """The position on `day` (its position at churn, for a company churned by then)."""
    last = day if journey.churned is None else min(day, journey.churned)
    return sum(1 for step in journey.steps if step <= last)


def is_customer_on(journey: Journey, day: int) -> bool:
    return journey.since <= day and (journey.churned is None or journey.churned > day)


@dataclass(frozen=True)
class StepCounts:
    """One position k on one day. Row k = 0 is "became a customer"."""

    reached: int  # customers on the day at position ≥ k
    entered: int  # companies that reached position k by the day (customers or churned since)
    churned: int  # companies churned by the day at position k
    stuck: int  # customers at position k, stuck at milestone k+1
    median_days: int | None  # days from position k−1 to k (k ≥ 1), nearest-rank median …
    p80_days: int | None  # … and 80th percentile, over the `entered` companies


REACHED, ENTERED, CHURNED, STUCK, DURATION = range(5)


def _changes(journey: Journey, stuck_after: Sequence[int | None]) -> Iterable[tuple[int, int, int, int]]:
    """(day, kind, position, value) of every change this journey makes to the counts."""
    steps = (journey.since, *journey.steps)
    end = journey.churned
    for k, day in enumerate(steps):
        yield day, REACHED, k, 1
        if end is not None:
            yield end, REACHED, k, -1
        yield day, ENTERED, k, 1
        if k:
            yield day, DURATION, k, day - steps[k - 1]
    position = len(steps) - 1
    if end is not None:
        yield end, CHURNED, position, 1
    for k, day in enumerate(steps):
        threshold = stuck_after[k] if k < len(stuck_after) else None
        if threshold is None:
            continue
        start = day + threshold + 1
        leaves = [day for day in (steps[k + 1] if k + 1 < len(steps) else None, end) if day is not None]
        stop = min(leaves) if leaves else None
        if stop is None or start < stop:
            yield start, STUCK, k, 1
            if stop is not None:
                yield stop, STUCK, k, -1


def funnel_days(
    journeys: Iterable[Journey], *, milestones: int, stuck_after: Sequence[int | None], first: int, last: int
) -> dict[int, list[StepCounts]]:
    """Per day of [first, last], the counts of positions 0…`milestones`. `stuck_after[k]`: the days at
    position k after which a customer is stuck at milestone k+1 (None: no CTA rule applies)."""
    changes = sorted(change for journey in journeys for change in _changes(journey, stuck_after))
    size = milestones + 1
    counts = [[0] * size for _ in range(4)]
    longest = max((value for _, kind, _, value in changes if kind == DURATION), default=0)
    durations = [RankCounter(longest + 1) for _ in range(size)]
    percentiles: list[tuple[int | None, int | None]] = [(None, None)] * size
    dirty = set()
    result: dict[int, list[StepCounts]] = {}
    index = 0

    def apply_through(day: int) -> None:
        nonlocal index
        while index < len(changes) and changes[index][0] <= day:
            _, kind, k, value = changes[index]
            if kind == DURATION:
                durations[k].add(value)
                dirty.add(k)
            else:
                counts[kind][k] += value
            index += 1

    apply_through(first - 1)
    for day in range(first, last + 1):
        apply_through(day)
        for k in dirty:
            percentiles[k] = (durations[k].percentile(MEDIAN), durations[k].percentile(P80))
        dirty.clear()
        result[day] = [
            StepCounts(
                counts[REACHED][k], counts[ENTERED][k], counts[CHURNED][k], counts[STUCK][k], *percentiles[k]
            )
            for k in range(size)
        ]
    return result


# --- Per milestone, as the pages, CSV and API show it ----------------------------------------------------


@dataclass(frozen=True)
class MilestoneFigures:
    number: int  # 1-based place in the sequence
    reached: int
    at: int
    conversion: float | None  # reached / reached of the previous milestone (or of all customers)
    median_days: int | None
    p80_days: int | None
    timed: int  # companies the days are measured over
    stuck: int
    churned: int
    churn_rate: float | None  # churned / (churned + at)
    health_count: int
    mean_health: float | None

    @property
    def previous_reached(self) -> int:
        return round(self.reached / self.conversion) if self.conversion else 0


def milestone_figures(
    steps: Sequence[StepCounts], health: dict[int, tuple[int, int]] | None = None
) -> list[MilestoneFigures]:
    """Milestones 1…K from the counts of positions 0…K; `health`: position → (sum, count) of health."""
    health = health or {}
    figures = []
    for number in range(1, len(steps)):
        here, before = steps[number], steps[number - 1]
        at = before.reached - here.reached
        total, count = health.get(number - 1, (0, 0))
        churned = before.churned
        figures.append(
            MilestoneFigures(
                number=number,
                reached=here.reached,
                at=at,
                conversion=here.reached / before.reached if before.reached else None,
                median_days=here.median_days,
                p80_days=here.p80_days,
                timed=here.entered,
                stuck=before.stuck,
                churned=churned,
                churn_rate=churned / (churned + at) if churned + at else None,
                health_count=count,
                mean_health=round(total / count, 1) if count else None,
            )
        )
    return figures


def bottleneck(figures: Sequence[MilestoneFigures]) -> MilestoneFigures | None:
    """The milestone holding the most stuck customers (the first of a tie); None when nobody is stuck."""
    stuck = [row for row in figures if row.stuck]
    return max(stuck, key=lambda row: row.stuck) if stuck else None
