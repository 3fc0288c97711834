"""The buyer funnel of DESIGN §5 as plain functions: companies per buyer-journey stage on each day, the
moves into each stage from below (up) and from above (down) in the 7 and 30 days up to the day, and the
median days since the companies in a stage entered it (nearest rank; companies whose move into the stage
is not recorded, such as those still in their first stage, are not timed).

A company's stage on day D is the stage its last recorded change on or before D moved it to; before its
first change, the stage that change moved it from; with no change at all, its current stage."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from funnel.stats import RankCounter

WINDOWS = (7, 30)


@dataclass(frozen=True)
class StageHistory:
    current: int  # stage index (0 = the lowest stage) now
    changes: tuple[tuple[int, int, int], ...]  # (day, from index, to index), in the order they happened


@dataclass(frozen=True)
class StageCounts:
    companies: int
    up_7: int
    down_7: int
    up_30: int
    down_30: int
    timed: int
    median_days: int | None


def stage_days(
    histories: Sequence[StageHistory], *, stages: int, first: int, last: int
) -> dict[int, list[StageCounts]]:
    """Per day of [first, last], the counts of each stage (index 0…stages−1)."""
    earliest = min((h.changes[0][0] for h in histories if h.changes), default=first)
    origin = min(earliest, first - max(WINDOWS)) - 1
    changes: list[tuple[int, int, int, int]] = []  # (day, company, order, from × stages + to)
    members = [0] * stages
    entered = [RankCounter(last - origin + 2) for _ in range(stages)]
    entry: dict[int, int] = {}  # company index → its entry offset, while timed
    for number, history in enumerate(histories):
        start = history.changes[0][1] if history.changes else history.current
        members[start] += 1
        for order, (day, before, after) in enumerate(history.changes):
            changes.append((day, number, order, before * stages + after))
    changes.sort()
    moves_up: list[list[int]] = [[0] * stages]  # cumulative moves, per day from origin
    moves_down: list[list[int]] = [[0] * stages]
    result: dict[int, list[StageCounts]] = {}
    index = 0
    for day in range(origin, last + 1):
        up, down = list(moves_up[-1]), list(moves_down[-1])
        while index < len(changes) and changes[index][0] <= day:
            when, number, _, pair = changes[index]
            before, after = divmod(pair, stages)
            members[before] -= 1
            members[after] += 1
            if number in entry:
                entered[before].add(entry.pop(number), -1)
            offset = when - origin
            entered[after].add(offset)
            entry[number] = offset
            if after > before:
                up[after] += 1
            elif after < before:
                down[after] += 1
            index += 1
        moves_up.append(up)
        moves_down.append(down)
        if day < first:
            continue
        here = day - origin + 1
        rows = []
        for stage in range(stages):
            counter = entered[stage]
            median = None
            if counter.count:
                rank = counter.count - max(1, math.ceil(0.5 * counter.count - 1e-9)) + 1
                median = day - (counter.kth(rank) + origin)
            rows.append(
                StageCounts(
                    companies=members[stage],
                    up_7=up[stage] - moves_up[max(0, here - 7)][stage],
                    down_7=down[stage] - moves_down[max(0, here - 7)][stage],
                    up_30=up[stage] - moves_up[max(0, here - 30)][stage],
                    down_30=down[stage] - moves_down[max(0, here - 30)][stage],
                    timed=counter.count,
                    median_days=median,
                )
            )
        result[day] = rows
    return result
