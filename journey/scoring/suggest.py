"""What would move a company's score next (DESIGN §3.7): each stage trigger and scoring rule tried on top of
the current state with the engine itself, so a suggestion is exactly what the event would do.

A trigger that counts (3 blog views within 14 days, 3 distinct contacts, 2 sessions) is tried with 1, 2, …
more events, and the suggestion says how many it takes given the recent history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from core.conditions import Condition, Operator
from journey.scoring.domain import NEGATIVE, Config, Rule, ScoringEvent, State, Trigger
from journey.scoring.engine import replay as engine_replay


@dataclass(frozen=True)
class Suggestion:
    action: str  # what the company would do: a trigger's name, or "sales meeting attended"
    needed: int  # events it takes (more than one for counting triggers)
    score: int  # the score it would give
    stage: str  # the stage key it would reach
    stage_name: str
    counted: bool = False  # a trigger that counts events: `needed` more of them

    @property
    def text(self) -> str:
        return f"{self.needed} more toward “{self.action}”" if self.counted else self.action


def next_moves(
    config: Config,
    state: State,
    recent: Sequence[ScoringEvent],
    at: datetime,
    *,
    limit: int = 5,
    per_stage: int = 2,
) -> list[Suggestion]:
    """The cheapest ways to reach each higher stage, nearest stage first: per stage, the suggestions that
    need the fewest events (hand-raises and triggers before content that only adds points)."""
    ranks = {key: rank for rank, (_, key, _) in enumerate(config.stages)}
    current = ranks.get(config.stage_of(state.score), 0)
    triggers = [
        (trigger.name, _trigger_events(trigger, at), trigger.min_count > 1 or trigger.same_session, trigger)
        for trigger in config.triggers
    ]
    rules = [
        (_describe(rule), [_event_for(rule.event_name, rule.condition, at, 0)], False, None)
        for rules in config.rules.values()
        for rule in rules
        if rule.kind != NEGATIVE and rule.points > 0 and rule.ceiling > state.score
    ]
    found: dict[str, Suggestion] = {}
    reached_by: list[tuple[Trigger, str]] = []  # triggers suggested, and the stage they reach
    for action, events, counted, trigger in triggers + rules:
        for needed in range(1, len(events) + 1):
            tried = events[:needed]
            result = engine_replay(tried, config, tried[-1].at, state=_copy(state), context=recent)
            if trigger is not None and result.state.score < trigger.floor:
                continue  # not this trigger yet (another one may have moved the score: not its credit)
            stage = config.stage_of(result.state.score)
            if ranks.get(stage, 0) <= current:
                break
            # An event a suggested trigger already covers, to the same stage, says nothing new.
            covered = trigger is None and any(t.accepts(tried[0]) and s == stage for t, s in reached_by)
            if not covered and action not in found:
                name = config.stage_name(stage)
                found[action] = Suggestion(action, needed, result.state.score, stage, name, counted)
                if trigger is not None:
                    reached_by.append((trigger, stage))
            break
    ordered = sorted(found.values(), key=lambda s: (ranks.get(s.stage, 0), s.needed, -s.score, s.action))
    # Keep the variety: the nearest stage's options first, at most `per_stage` each.
    kept: list[Suggestion] = []
    taken: dict[str, int] = {}
    for suggestion in ordered:
        if taken.get(suggestion.stage, 0) < per_stage:
            kept.append(suggestion)
            taken[suggestion.stage] = taken.get(suggestion.stage, 0) + 1
    return kept[:limit]


def _copy(state: State) -> State:
    return replace(state, boosts=list(state.boosts))


def _trigger_events(trigger: Trigger, at: datetime) -> list[ScoringEvent]:
    """min_count events that satisfy the trigger, one minute apart, each a new contact or session when the
    trigger counts those, all in one new session when it wants the same session."""
    name = sorted(trigger.event_names)[0] if trigger.event_names else "session_started"
    events = []
    for index in range(max(1, trigger.min_count)):
        event = _event_for(name, trigger.condition, at, index)
        if trigger.counting == "contacts":
            event = replace(event, contact_id=-1 - index)
        elif trigger.counting == "sessions":
            event = replace(event, session_id=f"suggest-{index}")
        if trigger.same_session:
            event = replace(event, session_id="suggest-same")
        events.append(event)
    return events


def _event_for(name: str, condition: Condition | None, at: datetime, index: int) -> ScoringEvent:
    properties = {condition.key: _satisfying(condition)} if condition else {}
    return ScoringEvent(
        at=at + timedelta(minutes=index), key=f"~suggest/{index:04d}", name=name, properties=properties
    )


def _satisfying(condition: Condition) -> float | str:
    """A property value that meets the condition (checked by the engine when it is tried)."""
    number = condition.number
    if number is None:
        return condition.value if condition.operator == Operator.EQ else condition.value + " (other)"
    step = max(abs(number) * 0.01, 0.01)
    return {
        Operator.GT: number + step,
        Operator.LT: number - step,
        Operator.NE: number + 1,
    }.get(Operator(condition.operator), number)


def _describe(rule: Rule) -> str:
    words = rule.event_name.replace("_", " ").capitalize()
    if rule.condition is None:
        return words
    operator = Operator(rule.condition.operator).label
    return f"{words} ({rule.condition.key} {operator} {rule.condition.value})"
