"""The visible priority of a CTA: 0–100 points from four parts, each shown and explained in the queue.

    days at milestone  up to 30: 30 × min(days, 180) / 180
    MRR                up to 25: 25 × the share of customers with a lower MRR (its percent rank)
    health             up to 25: 25 × (100 − health) / 100; unknown health counts 0
    due date           up to 20: 20 when due today or overdue, falling to 0 at 14 days or more before it

Each part is rounded half up to a whole number; the priority is their sum. The daily run stores the parts
(ctas/services/priority.py computes them in SQL from these constants); these functions are the same rule
over plain values, for explanations and tests."""

from __future__ import annotations

from dataclasses import dataclass

DAYS_WEIGHT, DAYS_FULL = 30, 180
MRR_WEIGHT = 25
HEALTH_WEIGHT = 25
DUE_WEIGHT, DUE_HORIZON = 20, 14


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


@dataclass(frozen=True)
class Priority:
    days: int
    mrr: int
    health: int
    due: int

    @property
    def total(self) -> int:
        return self.days + self.mrr + self.health + self.due


def priority_of(
    *, days_at_position: int | None, mrr_rank: int, health: int | None, days_to_due: int
) -> Priority:
    """The parts for a CTA whose company has been `days_at_position` days at its milestone, whose MRR is
    above `mrr_rank` percent of customers, with `health` (0–100), due in `days_to_due` days (negative:
    overdue)."""
    days = min(max(days_at_position or 0, 0), DAYS_FULL)
    due_left = min(max(days_to_due, 0), DUE_HORIZON)
    return Priority(
        days=_half_up(DAYS_WEIGHT * days, DAYS_FULL),
        mrr=_half_up(MRR_WEIGHT * min(max(mrr_rank, 0), 100), 100),
        health=0 if health is None else _half_up(HEALTH_WEIGHT * (100 - health), 100),
        due=_half_up(DUE_WEIGHT * (DUE_HORIZON - due_left), DUE_HORIZON),
    )


PRIORITY_TEXT = (
    f"Priority (0–100) = days at the milestone (up to {DAYS_WEIGHT}, full at {DAYS_FULL} days) + MRR "
    f"(up to {MRR_WEIGHT}, by its rank among customers) + low health (up to {HEALTH_WEIGHT}) + due date "
    f"(up to {DUE_WEIGHT}: full when due or overdue, none {DUE_HORIZON}+ days ahead). Highest first."
)


def priority_explained(
    *, parts: Priority, days_at_position: int | None, mrr_rank: int, health: int | None
) -> list[str]:
    """One line per part, in plain words, e.g. "42 days at the milestone: 7 of 30"."""
    return [
        f"{days_at_position if days_at_position is not None else 'No'} days at the milestone: "
        f"{parts.days} of {DAYS_WEIGHT}",
        f"MRR above {mrr_rank}% of customers: {parts.mrr} of {MRR_WEIGHT}",
        f"Health {health if health is not None else 'unknown'}: {parts.health} of {HEALTH_WEIGHT}",
        f"Due date: {parts.due} of {DUE_WEIGHT}",
    ]
