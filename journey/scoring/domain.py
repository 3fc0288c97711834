"""The buyer-journey score's vocabulary, as plain data (DESIGN §3): the scale, the events the engine reads,
the rules and triggers as it applies them, and the state, steps and changes it produces. engine.py applies
them; nothing here touches the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.conditions import Condition, Operator

# Every window the engine looks back over (trigger windows, velocity bonuses) fits in this many days, so
# continuing from a company's stored state with this much recent history gives the same result as a
# replay of all its events. The models bound their windows by it.
LOOKBACK_DAYS = 60
LOOKBACK = timedelta(days=LOOKBACK_DAYS)
MAX_SCORE = 1000  # scores are integer hundredths: 1000 is 10.00

ENGAGEMENT, HAND_RAISE, SALES, NEGATIVE = "engagement", "hand_raise", "sales", "negative"


def score_text(hundredths: int) -> str:
    """Integer hundredths as a score with two decimals, never rounded (199 reads 1.99, not 2.0: a score
    is never shown rounded up into a stage it is not in)."""
    sign = "-" if hundredths < 0 else ""
    whole, cents = divmod(abs(int(hundredths)), 100)
    return f"{sign}{whole}.{cents:02d}"


@dataclass(frozen=True)
class ScoringEvent:
    at: datetime
    key: str  # "source/message_id": breaks ties between events of the same moment
    name: str
    session_id: str = ""
    contact_id: int | None = None
    properties: dict = field(default_factory=dict)  # only the keys rules and triggers look at
    content_stage: str = ""  # problem / solution / evaluation / decision (property or resource)
    duration_seconds: float | None = None  # session_started

    @property
    def order(self) -> tuple[datetime, str]:
        return (self.at, self.key)


@dataclass(frozen=True)
class Rule:
    id: int
    event_name: str
    kind: str
    points: int
    ceiling: int = MAX_SCORE
    condition: Condition | None = None
    decay_factor: int | None = None  # percent
    decay_days: int | None = None

    def matches(self, event: ScoringEvent) -> bool:
        return self.condition is None or self.condition.matches(event.properties)

    @property
    def label(self) -> str:
        condition = (
            f" where {self.condition.key} {Operator(self.condition.operator).label} {self.condition.value}"
            if self.condition
            else ""
        )
        return f"{self.event_name}{condition}"


@dataclass(frozen=True)
class Trigger:
    id: int
    name: str
    floor: int
    stage_key: str | None = None  # the stage it raises to (None: a fixed score)
    event_names: frozenset[str] = frozenset()  # empty: any event
    condition: Condition | None = None
    min_count: int = 1
    counting: str = "events"  # events / contacts / sessions
    window: timedelta | None = None
    same_session: bool = False

    def accepts(self, event: ScoringEvent) -> bool:
        if self.event_names and event.name not in self.event_names:
            return False
        return self.condition is None or self.condition.matches(event.properties)


@dataclass(frozen=True)
class Bonuses:
    session_pct: int = 20
    session_sessions: int = 2
    session_window: timedelta = timedelta(days=7)
    duration_pct: int = 15
    duration_window: timedelta = timedelta(days=30)
    duration_sessions: int = 2
    content_pct: int = 25
    content_within: timedelta = timedelta(hours=72)
    content_lasts: timedelta = timedelta(days=7)


@dataclass(frozen=True)
class Config:
    rules: dict[str, tuple[Rule, ...]]  # by event name, the first match wins (conditioned rules first)
    triggers: tuple[Trigger, ...]
    stages: tuple[tuple[int, str, str], ...]  # (lower bound, key, name), by lower bound
    decay_points: int = 100
    decay_every: timedelta = timedelta(days=7)
    bonuses: Bonuses = Bonuses()

    def stage_of(self, score: int) -> str:
        """Lower bounds are inclusive: 200 is Education."""
        key = self.stages[0][1]
        for lower, stage_key, _ in self.stages:
            if score >= lower:
                key = stage_key
        return key

    def stage_name(self, key: str) -> str:
        return next((name for _, stage_key, name in self.stages if stage_key == key), key)

    def rule_for(self, event: ScoringEvent) -> Rule | None:
        return next((rule for rule in self.rules.get(event.name, ()) if rule.matches(event)), None)


# --- State, steps, result ----------------------------------------------------------------------------------


@dataclass
class State:
    """Where a company's score stands; `replay` continues from it."""

    score: int = 0
    through: datetime | None = None
    last_event_at: datetime | None = None
    last_event_key: str = ""
    last_engagement_at: datetime | None = None
    next_decay_at: datetime | None = None
    boosts: list[tuple[datetime, int]] = field(default_factory=list)  # (until, percent)

    @property
    def last_order(self) -> tuple[datetime, str] | None:
        return (self.last_event_at, self.last_event_key) if self.last_event_at else None


@dataclass(frozen=True)
class Step:
    """One change to the score, for the explanation."""

    at: datetime
    cause: str  # "event" or "decay"
    score_before: int
    score: int
    stage: str
    event_name: str = ""
    rule: str = ""
    points: int = 0  # the rule's points
    bonuses: tuple[tuple[str, int], ...] = ()  # (name, percent)
    applied: int = 0  # points actually added (after bonuses and ceiling) or lost
    ceiling: int | None = None  # set when the ceiling limited the points
    floor: int | None = None  # set when a trigger raised the score
    trigger: str = ""


@dataclass(frozen=True)
class Change:
    at: datetime
    from_stage: str
    to_stage: str
    score: int
    cause: str
    event_name: str = ""


@dataclass
class Result:
    state: State
    changes: list[Change]
    steps: list[Step]


def continues(state: State | None, first_new_at: datetime) -> bool:
    """Whether events occurring from `first_new_at` on can be applied to `state` (otherwise: replay). Not
    when one occurred before a moment the state was brought to: the decay applied since, and the penalty
    windows forgotten since, would have been different (ties count as late: a replay changes nothing)."""
    if state is None or state.through is None:
        return False
    return first_new_at >= state.through and (
        state.last_event_at is None or first_new_at > state.last_event_at
    )
