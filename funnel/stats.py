"""The statistics the analytics use, as plain functions (no database, no numpy).

- Percentiles are **nearest-rank**: the p-th percentile of n sorted values is the value at rank ⌈p·n⌉
  (1-based), so it is always one of the observed values (a whole number of days). The median of an even
  count is the lower of the two middle values.
- Proportions get **Wilson score intervals** (95 %), which stay inside [0, 1] and behave for small groups.
- Two proportions are compared with the **two-proportion z-test** (pooled, two-sided).
- Time to an event is estimated with **Kaplan–Meier**: subjects still waiting are censored, not dropped."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054


def nearest_rank(sorted_values: Sequence[int], p: float) -> int | None:
    """The p-th percentile (0 < p ≤ 1) of values sorted ascending, by nearest rank; None when empty."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p * len(sorted_values) - 1e-9))
    return sorted_values[rank - 1]


class RankCounter:
    """A multiset of small non-negative integers with the k-th smallest in O(log n): a Fenwick tree over
    the values. The daily sweeps add (and remove) hundreds of thousands of values and read percentiles
    every day; a sorted list would move memory on every insert."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self.tree = [0] * (self.size + 1)
        self.count = 0
        self._top = 1 << self.size.bit_length()

    def add(self, value: int, times: int = 1) -> None:
        self.count += times
        i = value + 1
        while i <= self.size:
            self.tree[i] += times
            i += i & -i

    def kth(self, k: int) -> int:
        """The k-th smallest value (1-based)."""
        position, step = 0, self._top
        while step:
            nxt = position + step
            if nxt <= self.size and self.tree[nxt] < k:
                position = nxt
                k -= self.tree[nxt]
            step >>= 1
        return position  # values are 0-based: index position+1 holds value position

    def percentile(self, p: float) -> int | None:
        if self.count == 0:
            return None
        return self.kth(max(1, math.ceil(p * self.count - 1e-9)))


@dataclass(frozen=True)
class Proportion:
    successes: int
    trials: int

    @property
    def rate(self) -> float | None:
        return self.successes / self.trials if self.trials else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.successes, self.trials)


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of successes/trials; None without trials."""
    if trials <= 0:
        return None
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class ZTest:
    z: float
    p_value: float

    def significant(self, alpha: float = 0.05) -> bool:
        return self.p_value < alpha


def two_proportion_z_test(x1: int, n1: int, x2: int, n2: int) -> ZTest | None:
    """Pooled two-proportion z-test, two-sided; None when a group is empty or the pooled rate is 0 or 1
    (no variance: the test says nothing)."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return None
    z = (x2 / n2 - x1 / n1) / math.sqrt(variance)
    return ZTest(z, math.erfc(abs(z) / math.sqrt(2)))


@dataclass(frozen=True)
class Survival:
    """A Kaplan–Meier curve: S(t) = share still waiting after t days, as steps at the event times."""

    subjects: int
    events: int
    times: tuple[int, ...]  # event times, ascending
    values: tuple[float, ...]  # S just after each event time
    followed: tuple[int, ...]  # the distinct days followed (event or censoring), ascending …
    beyond: tuple[int, ...]  # … and how many subjects were followed at least that long

    def at(self, t: float) -> float:
        """S(t): the share still waiting after t days (1 before the first event)."""
        index = bisect_right(self.times, t)
        return self.values[index - 1] if index else 1.0

    def followed_beyond(self, t: float) -> int:
        """Subjects followed for more than t days: the group a forecast for someone t days in rests on."""
        index = bisect_right(self.followed, t)
        return self.beyond[index] if index < len(self.beyond) else 0


def kaplan_meier(observations: Iterable[tuple[int, bool]]) -> Survival:
    """`observations`: (days followed, whether the event happened then) per subject; a subject without
    the event is censored at its days. At a tie, events come before censorings (the usual convention)."""
    data = sorted(observations, key=lambda item: (item[0], not item[1]))
    at_risk, survival = len(data), 1.0
    times: list[int] = []
    values: list[float] = []
    index = 0
    events_total = 0
    while index < len(data):
        t = data[index][0]
        deaths = censored = 0
        while index < len(data) and data[index][0] == t:
            if data[index][1]:
                deaths += 1
            else:
                censored += 1
            index += 1
        if deaths:
            survival *= 1 - deaths / at_risk
            times.append(t)
            values.append(survival)
            events_total += deaths
        at_risk -= deaths + censored
    distinct = sorted({t for t, _ in data})
    counts: dict[int, int] = {}
    for t, _ in data:
        counts[t] = counts.get(t, 0) + 1
    beyond, running = [], 0
    for t in reversed(distinct):
        running += counts[t]
        beyond.append(running)
    return Survival(
        len(data), events_total, tuple(times), tuple(values), tuple(distinct), tuple(reversed(beyond))
    )
