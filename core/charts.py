"""Small server-side SVG charts: the page draws them with no JavaScript library, and they print."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class StepChart:
    """A value that holds until it changes (a score), as an SVG path in a `width`×`height` box."""

    width: int
    height: int
    path: str  # the line
    area: str  # the same, closed down to zero, for a light fill
    gridlines: list[tuple[float, str]]  # (y, label)
    ticks: list[tuple[float, str]]  # (x, label)
    last: tuple[float, float]  # the current value's point


def step_chart(
    changes: Sequence[tuple[datetime, int]],
    *,
    start: datetime,
    end: datetime,
    initial: int,
    top: int,
    gridlines: Sequence[tuple[int, str]] = (),
    ticks: Sequence[tuple[datetime, str]] = (),
    width: int = 640,
    height: int = 160,
) -> StepChart:
    """`changes` are (moment, new value) in time order within [start, end]; `initial` holds at `start`."""
    span = (end - start).total_seconds() or 1.0

    def x(moment: datetime) -> float:
        return round(width * min(max((moment - start).total_seconds() / span, 0.0), 1.0), 1)

    def y(value: int) -> float:
        return round(height - height * value / top, 1)

    value = initial
    commands = [f"M0,{y(value)}"]
    for moment, new in changes:
        commands.append(f"H{x(moment)}")
        commands.append(f"V{y(new)}")
        value = new
    commands.append(f"H{width}")
    path = " ".join(commands)
    return StepChart(
        width=width,
        height=height,
        path=path,
        area=f"{path} V{height} H0 Z",
        gridlines=[(y(level), label) for level, label in gridlines],
        ticks=[(x(moment), label) for moment, label in ticks if start <= moment <= end],
        last=(float(width), y(value)),
    )
