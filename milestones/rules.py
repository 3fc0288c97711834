"""The assessment rules of DESIGN §4.2–4.3 and §4.6 as plain functions over plain data (no database).

Days are date ordinals (`date.toordinal()`): the workspace-local day an event occurred on, or a metric's
day. A *span* is an inclusive range of days `(first, last)`.

- Event count: the number of matching events on days ≤ d (all time), or in the window of the W days ending
  on d: days d-W+1 … d, both ends included. An event on day x is in the windows of days x … x+W-1.
- Metric: the latest value reported on or before d; no value yet means the criterion does not hold.
- Ratio: count(A) / count(B) over the same window; it holds only with count(B) ≥ the minimum denominator.
  The ratio is divided, not cross-multiplied, so 7/100 meets 0.07 exactly (0.07 × 100 is 7.000…01).
- A milestone is achieved on the earliest day of the assessed range on which all of its criteria hold
  together. A milestone without criteria is never achieved: nothing in the data could show it."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from core.conditions import COMPARE, SWAPPED

Span = tuple[int, int]
FAR_PAST = -(10**9)
FAR_FUTURE = 10**9


@dataclass(frozen=True)
class Check:
    """One checklist criterion, as the rules need it."""

    id: int
    kind: str  # "event_count" | "metric" | "ratio"
    comparator: str
    threshold: float
    window_days: int | None = None
    min_denominator: int = 1

    def compare(self, value: float) -> bool:
        return COMPARE[self.comparator](value, self.threshold)

    @property
    def needed(self) -> int | None:
        """For "≥"/">" counts: the smallest count that holds, which holds for good once reached (None for
        other comparators)."""
        return fewest_events(self.comparator, self.threshold) if self.comparator in ("gte", "gt") else None


def fewest_events(comparator: str, threshold: float) -> int:
    """The fewest events for `count <comparator> threshold` to hold (0 when no events already hold: ≤, <)."""
    if comparator in ("gte", "eq"):
        return max(0, math.ceil(threshold))
    if comparator == "gt":
        return max(0, math.floor(threshold) + 1)
    return 0


def fewest_numerator(check: Check, denominator: int) -> int:
    """The fewest numerator events for a ratio criterion to hold over `denominator` events (compared as the
    rules compare: divided, so 7 of 100 meets 0.07 although 0.07 × 100 is 7.000…01)."""
    count = fewest_events(check.comparator, check.threshold * denominator)
    while count > 0 and ratio_holds(check, count - 1, denominator):
        count -= 1
    return count


def events_still_needed(check: Check, count: int, oldest: int | None, day: int) -> tuple[int, int | None]:
    """Why an "at least" count does not hold yet on `day`: how many more events it takes and, for a count
    in a window, the last day they can come for it to hold: the day before the oldest event counted now
    (`oldest`, a day) leaves the window. (0, None) when it holds or is not an "at least" count; no day when
    nothing is counted yet (any W days will do).

    "4 in 60 days" with one post on 2026-10-14, assessed 2026-11-29: 3 more by 2026-12-12 (10-14 + 59)."""
    needed = check.needed
    if needed is None or count >= needed:
        return 0, None
    if check.window_days is None or oldest is None:
        return needed - count, None
    return needed - count, max(day, oldest + check.window_days - 1)


# --- Whether a criterion holds, from its value on one day --------------------------------------------------


def count_holds(check: Check, count: int) -> bool:
    return check.compare(count)


def ratio_holds(check: Check, numerator: int, denominator: int) -> bool:
    return denominator >= check.min_denominator and check.compare(numerator / denominator)


def metric_holds(check: Check, value: float | None) -> bool:
    return value is not None and check.compare(value)


# --- The days on which a criterion holds, from its history ------------------------------------------------


def count_spans(check: Check, daily_counts: Sequence[tuple[int, int]]) -> list[Span]:
    """Spans on which an event-count criterion holds. `daily_counts`: (day, events that day), by day."""
    needed = check.needed
    if check.window_days is None and needed is not None:
        # The common "at least N, all time": it holds from the day the N-th event occurred, for good.
        if needed == 0:
            return [(FAR_PAST, FAR_FUTURE)]
        total = 0
        for day, count in daily_counts:
            total += count
            if total >= needed:
                return [(day, FAR_FUTURE)]
        return []
    return _spans_from_changes(_count_changes(daily_counts, check.window_days), _predicate(check))


def can_hold(check: Check, total_events: int) -> bool:
    """False when an "at least" count can never hold with this many events in all (a cheap early exit)."""
    needed = check.needed
    return needed is None or total_events >= needed


def _predicate(check: Check) -> Callable[[float], bool]:
    """`value <comparator> threshold` as a C-level callable: this runs once per change of a count."""
    return partial(SWAPPED[check.comparator], check.threshold)


def ratio_spans(
    check: Check, numerators: Sequence[tuple[int, int]], denominators: Sequence[tuple[int, int]]
) -> list[Span]:
    """Spans on which a ratio criterion holds; both series are (day, events that day), by day."""
    top = _running_values(_count_changes(numerators, check.window_days))
    bottom = _running_values(_count_changes(denominators, check.window_days))
    days = sorted({day for day, _ in top} | {day for day, _ in bottom})
    values: list[tuple[int, tuple[int, int]]] = []
    a = b = 0
    ia = ib = 0
    for day in days:
        while ia < len(top) and top[ia][0] <= day:
            a = top[ia][1]
            ia += 1
        while ib < len(bottom) and bottom[ib][0] <= day:
            b = bottom[ib][1]
            ib += 1
        values.append((day, (a, b)))
    return _spans_from_values(values, (0, 0), lambda pair: ratio_holds(check, *pair))


def metric_spans(check: Check, readings: Sequence[tuple[int, float]]) -> list[Span]:
    """Spans on which a metric criterion holds; `readings`: (day, value), by day, one per day."""
    holds = _predicate(check)
    return _spans_from_values(list(readings), None, lambda value: value is not None and holds(value))


def _count_changes(daily_counts: Iterable[tuple[int, int]], window_days: int | None) -> list[tuple[int, int]]:
    """(day, change of the count that day): +n on the event day and, for a window, -n W days later."""
    changes: dict[int, int] = {}
    for day, count in daily_counts:
        changes[day] = changes.get(day, 0) + count
        if window_days:
            leaves = day + window_days
            changes[leaves] = changes.get(leaves, 0) - count
    return sorted(changes.items())


def _running_values(changes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    total, values = 0, []
    for day, change in changes:
        total += change
        values.append((day, total))
    return values


def _spans_from_changes(changes: list[tuple[int, int]], holds: Callable[[int], bool]) -> list[Span]:
    return _spans_from_values(_running_values(changes), 0, holds)


def _spans_from_values(values: Sequence[tuple[int, object]], initial: object, holds: Callable) -> list[Span]:
    """`values`: (day, value from that day on), by day; `initial` holds before the first day."""
    spans: list[Span] = []
    start = FAR_PAST if holds(initial) else None
    for day, value in values:
        if holds(value):
            if start is None:
                start = day
        elif start is not None:
            if day - 1 >= start:
                spans.append((start, day - 1))
            start = None
    if start is not None:
        spans.append((start, FAR_FUTURE))
    return spans


# --- All criteria together ----------------------------------------------------------------------------------


def first_day_all_hold(spans_per_check: Sequence[Sequence[Span]], first: int, last: int) -> int | None:
    """The earliest day in [first, last] covered by a span of every check (None if there is none, or no
    checks). Each check's spans are sorted and disjoint."""
    if not spans_per_check or first > last:
        return None
    positions = [0] * len(spans_per_check)
    day = first
    while day <= last:
        moved = False
        for index, spans in enumerate(spans_per_check):
            i = positions[index]
            while i < len(spans) and spans[i][1] < day:
                i += 1
            positions[index] = i
            if i == len(spans):
                return None
            if spans[i][0] > day:
                day = spans[i][0]
                moved = True
        if not moved:
            return day
    return None


# --- Position and stuck (DESIGN §4.3) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    position: int  # milestones achieved in an unbroken run from the first
    current: int | None  # id of the next milestone, None when all are achieved
    since: int  # day the position was reached, see position_of


def position_of(sequence: Sequence[int], achieved: dict[int, int], customer_since: int) -> Position:
    """`sequence`: milestone ids in journey order; `achieved`: milestone id → day achieved (only those
    achieved by the day assessed). A milestone achieved out of order does not advance the position.

    The position is reached on the day its run was completed: the last achievement of the run, or the
    latest of them when a milestone of the run was achieved out of order (its predecessor came later), or
    customer_since for position 0. Days at position never count days spent at a lower position."""
    since = customer_since
    for index, milestone_id in enumerate(sequence):
        day = achieved.get(milestone_id)
        if day is None:
            return Position(index, milestone_id, since)
        since = max(since, day)
    return Position(len(sequence), None, since)


@dataclass(frozen=True)
class Standing:
    """Where a customer stands on a day: its position, and whether it was still a customer. A churned
    company's standing is frozen at its churn day: it keeps the position it had then."""

    position: Position
    active: bool  # a customer on the day (not churned by then)
    day: int  # the day described: the day asked, or the churn day of a churned company

    @property
    def days_at_position(self) -> int:
        return self.day - self.position.since


def standing_on(
    sequence: Sequence[int], achieved: dict[int, int], customer_since: int, churned_on: int | None, day: int
) -> Standing:
    """The standing on `day` of a customer since `customer_since` (churned on `churned_on`, if it did), from
    its achievements (milestone id → day): only those achieved by the day described count."""
    active, last = (False, churned_on) if churned_on is not None and churned_on <= day else (True, day)
    counted = {milestone: achieved_on for milestone, achieved_on in achieved.items() if achieved_on <= last}
    return Standing(position_of(sequence, counted, customer_since), active, last)


def stuck_since(position: Position, thresholds: Sequence[tuple[int | None, int]]) -> int | None:
    """The first day the company counts as stuck at its current milestone, or None. A company is stuck
    when its days at position exceed the minimum days of a CTA rule for its current milestone (or for any
    milestone); `thresholds` are (milestone id or None, minimum days) of the active rules."""
    if position.current is None:
        return None
    applicable = [days for milestone_id, days in thresholds if milestone_id in (None, position.current)]
    if not applicable:
        return None
    return position.since + min(applicable) + 1


# --- Health (DESIGN §4.6) ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    score: int  # 0–100
    active_days: int
    window_days: int
    key_actions_used: int
    key_actions_total: int


def health_of(
    active_days: int,
    key_actions_used: int,
    *,
    window_days: int,
    key_actions_total: int,
    activity_weight: int,
    key_action_weight: int,
) -> Health:
    """activity_weight × share of active days in the window + key_action_weight × share of the key actions
    used in it, rounded half up to a whole number (with no key actions configured, that part counts 0).
    Computed in integers over a common denominator, so 65.5 always rounds to 66."""
    days = min(active_days, window_days)
    total = key_actions_total or 1
    used = key_actions_used if key_actions_total else 0
    denominator = max(window_days, 1) * total
    numerator = activity_weight * days * total + key_action_weight * used * max(window_days, 1)
    score = (2 * numerator + denominator) // (2 * denominator) if window_days else 0
    return Health(max(0, min(100, score)), active_days, window_days, key_actions_used, key_actions_total)
