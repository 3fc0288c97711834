"""The demo's settings and plain data: segments, plans and their prices, how fast customers move and how
often they get stuck or churn; the milestone specs the generator follows, and the rows it emits."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from milestones import rules

SOURCE = "demo"

SEGMENTS = (("SMB", 0.55), ("Mid-Market", 0.30), ("Enterprise", 0.15))
PLANS = {
    "SMB": ("Starter", "Pro"),
    "Mid-Market": ("Pro", "Business"),
    "Enterprise": ("Business", "Enterprise"),
}
MRR_RANGE = {"Starter": (200, 800), "Pro": (800, 2500), "Business": (2500, 8000), "Enterprise": (8000, 40000)}
CONTACTS = {"SMB": (1, 3), "Mid-Market": (2, 5), "Enterprise": (3, 8)}
# Weekly product volume by segment: bigger companies generate more leads.
LEADS_PER_WEEK = {"SMB": 0.7, "Mid-Market": 1.4, "Enterprise": 2.5}
SEGMENT_PACE = {"SMB": 0.9, "Mid-Market": 1.0, "Enterprise": 1.2}

PROSPECT_SHARE = 0.2
# Chance of getting stuck at the k-th milestone (0-based). The second is the seed's bottleneck.
STUCK_AT_SECOND = 0.35
STUCK_BASE = 0.08
CHURN_WHEN_STUCK = 0.5
CHURN_OTHERWISE = 0.04

# Buyer-journey stage reached by prospects: Target, Education, Solution, Evaluation, Ready to Buy.
PROSPECT_STAGES = ((0, 0.25), (1, 0.30), (2, 0.20), (3, 0.15), (4, 0.10))


@dataclass(frozen=True)
class CriterionSpec:
    kind: str
    event_name: str
    denominator_event_name: str
    min_denominator: int
    metric: str
    comparator: str
    threshold: float
    window_days: int | None
    property_key: str = ""
    property_operator: str = ""
    property_value: str = ""

    @property
    def check(self) -> rules.Check:
        return rules.Check(
            0, self.kind, self.comparator, self.threshold, self.window_days, self.min_denominator
        )


@dataclass(frozen=True)
class MilestoneSpec:
    key: str
    target_days: int
    criteria: tuple[CriterionSpec, ...]


@dataclass
class CompanyPlan:
    index: int
    external_id: str
    name: str
    domain: str
    segment: str
    plan: str
    mrr: int
    lifecycle: str
    customer_since: date | None
    churned_on: date | None
    csm_index: int
    speed: float = 1.0
    # Planned achievement day of each milestone reached (the engine derives the true dates from events).
    reached: list[date] = field(default_factory=list)
    stuck_at: int | None = None
    working_on: int | None = None  # milestone in progress at the end (not stuck)


@dataclass
class Activity:
    contacts: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    metrics: list[tuple] = field(default_factory=list)


def weighted(rng: random.Random, choices) -> object:
    point, total = rng.random(), 0.0
    for value, weight in choices:
        total += weight
        if point < total:
            return value
    return choices[-1][0]


def ascii_text(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def matching_properties(criterion: CriterionSpec) -> dict:
    """Properties that satisfy the criterion's property condition."""
    if not criterion.property_key:
        return {}
    raw = criterion.property_value
    try:
        number = float(raw)
    except ValueError:
        return {criterion.property_key: raw if criterion.property_operator != "ne" else raw + "-other"}
    value = {
        "eq": number,
        "gte": number,
        "gt": number + 1,
        "lte": number,
        "lt": number - 1,
        "ne": number + 1,
    }[criterion.property_operator]
    return {criterion.property_key: int(value) if value == int(value) else value}


@dataclass(frozen=True)
class Workspace:
    """What every company of a demo workspace shares: the seed, the span of days and its time zone, the
    milestones customers work through, and the ids of the event names."""

    seed: int
    start: date
    end: date
    days: int
    tz: ZoneInfo
    milestones: list[MilestoneSpec]
    type_ids: dict[str, int]
