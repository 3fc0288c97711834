"""The buyer-journey score (DESIGN §3) as a pure function of events, rules and a moment: no database.

Scores are integer hundredths (0–1000), so there is no float drift. Events are applied in the order of
(occurred_at, source/message id): the order in which they arrived never matters.

At each event, in this order:
1. decay steps that fall at or before the event are applied (see below);
2. the first matching scoring rule of the event adds its points (negative signals subtract): positive
   points of engagement events are multiplied by the velocity bonuses, added, and the result capped at
   the rule's ceiling; an event never lowers a score through its ceiling;
3. each stage trigger the event matches whose condition holds raises the score to at least its floor
   (a stage's lower bound, or a fixed score such as the proposal's 9.00);
4. an event that matched a non-negative rule or a trigger is a positive engagement: the decay clock
   restarts from it.

Decay: −decay_points at last engagement + 7 days, + 14 days, … (never below 0). A negative signal scales
the steps that fall in the next N days after it, ends included (unsubscribed: ×2 for 28 days; competitor
visit: ×1.5 for 14 days); overlapping windows take the larger factor.

Windows look back from the event's moment, ends included: "3 blog views within 14 days" holds at a view
when 3 matching views occurred in [t − 14 days, t]. Counts include the event itself. Nothing looks back
more than LOOKBACK (60 days), which is what lets `replay` continue from a stored state."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from journey.scoring.domain import (
    ENGAGEMENT,
    LOOKBACK,
    NEGATIVE,
    Change,
    Config,
    Result,
    ScoringEvent,
    State,
    Step,
    Trigger,
)

# --- Replay ----------------------------------------------------------------------------------------------


def replay(
    events: Iterable[ScoringEvent],
    config: Config,
    until: datetime,
    *,
    state: State | None = None,
    context: Sequence[ScoringEvent] = (),
    explain: bool = False,
) -> Result:
    """Apply `events` (sorted by `order`, all after `state`'s last event) and the decay up to `until`.

    From scratch, pass no state and every event. To continue a stored state, pass it and `context`: the
    events it already applied from LOOKBACK before the first new event on (they feed the windows, and are
    not applied again)."""
    scorer = _Scorer(
        config, replace(state, boosts=list(state.boosts)) if state else State(), context, explain
    )
    for event in events:
        scorer.event(event)
    scorer.decay_until(until)
    final = scorer.state
    final.through = max(until, final.through) if final.through else until
    return Result(final, scorer.changes, scorer.steps)


class _Scorer:
    def __init__(self, config: Config, state: State, context: Sequence[ScoringEvent], explain: bool) -> None:
        self.config = config
        self.state = state
        self.history: deque[ScoringEvent] = deque(context)  # applied events within LOOKBACK, in order
        # The sessions among them that carry a duration: what the longer-sessions bonus compares.
        self.timed: deque[ScoringEvent] = deque(e for e in context if e.duration_seconds is not None)
        # By trigger, the events among them it accepts: what its window counts.
        self.accepted: dict[int, deque[ScoringEvent]] = {
            trigger.id: deque(e for e in context if trigger.accepts(e)) for trigger in config.triggers
        }
        self.explain = explain
        self.changes: list[Change] = []
        self.steps: list[Step] = []
        self.stage = config.stage_of(state.score)

    # Decay --------------------------------------------------------------------------------------------------

    def decay_until(self, moment: datetime) -> None:
        state, config = self.state, self.config
        while state.next_decay_at is not None and state.next_decay_at <= moment:
            if state.score == 0:
                state.next_decay_at = None
                break
            at = state.next_decay_at
            factor = max([percent for until, percent in state.boosts if until >= at] + [100])
            loss = config.decay_points * factor // 100
            before = state.score
            state.score = max(0, state.score - loss)
            state.next_decay_at = at + config.decay_every
            self._record(at, "decay", before, applied=state.score - before)
        state.boosts = [(until, percent) for until, percent in state.boosts if until >= moment]
        if state.through is None or moment > state.through:
            state.through = moment

    # Events -------------------------------------------------------------------------------------------------

    def event(self, event: ScoringEvent) -> None:
        state, config = self.state, self.config
        self.decay_until(event.at)
        cutoff = event.at - LOOKBACK
        _push(self.history, event, cutoff)
        if event.duration_seconds is not None:
            _push(self.timed, event, cutoff)
        before = state.score
        engaged = False
        rule = config.rule_for(event)
        points = applied = 0
        bonuses: tuple[tuple[str, int], ...] = ()
        limited_by = None
        if rule is not None:
            points = rule.points
            if rule.kind == NEGATIVE:
                state.score = max(0, state.score + points)
                if rule.decay_factor:
                    assert rule.decay_days is not None  # set together with the factor
                    state.boosts.append((event.at + timedelta(days=rule.decay_days), rule.decay_factor))
            else:
                engaged = True
                gained = points
                if rule.kind == ENGAGEMENT and points > 0:
                    bonuses = self._bonuses(event)
                    gained = (points * (100 + sum(pct for _, pct in bonuses)) + 50) // 100
                if state.score < rule.ceiling:
                    if state.score + gained > rule.ceiling:
                        limited_by = rule.ceiling
                    state.score = min(state.score + gained, rule.ceiling)
                elif gained:
                    limited_by = rule.ceiling
            applied = state.score - before
        floor, trigger_name = None, ""
        for trigger in config.triggers:
            if trigger.accepts(event):
                engaged = True
                _push(self.accepted[trigger.id], event, cutoff)
                if self._holds(trigger, event) and (floor is None or trigger.floor > floor):
                    floor, trigger_name = trigger.floor, trigger.name
        raised = floor is not None and state.score < floor
        if raised:
            assert floor is not None  # raised only when a trigger set a floor
            state.score = floor
        state.last_event_at, state.last_event_key = event.at, event.key
        if engaged:
            state.last_engagement_at = event.at
            state.next_decay_at = event.at + config.decay_every
        if state.through is None or event.at > state.through:
            state.through = event.at
        if rule is not None or raised:
            self._record(
                event.at,
                "event",
                before,
                event_name=event.name,
                rule=rule.label if rule else "",
                points=points,
                bonuses=bonuses,
                applied=applied,
                ceiling=limited_by,
                floor=floor if raised else None,
                trigger=trigger_name if raised else "",
            )

    def _holds(self, trigger: Trigger, event: ScoringEvent) -> bool:
        if trigger.min_count <= 1 and not trigger.same_session:
            return True  # the event itself is enough
        if trigger.same_session and not event.session_id:
            return False
        start = event.at - (trigger.window or LOOKBACK)
        seen: set = set()
        count = 0
        for past in reversed(self.accepted[trigger.id]):
            if past.at < start:
                break
            if trigger.same_session and past.session_id != event.session_id:
                continue
            if trigger.counting == "contacts":
                if past.contact_id is not None:
                    seen.add(past.contact_id)
            elif trigger.counting == "sessions":
                if past.session_id:
                    seen.add(past.session_id)
            else:
                count += 1
        return (len(seen) if trigger.counting != "events" else count) >= trigger.min_count

    def _bonuses(self, event: ScoringEvent) -> tuple[tuple[str, int], ...]:
        bonuses = self.config.bonuses
        found: list[tuple[str, int]] = []
        t = event.at
        if bonuses.session_pct:
            start, sessions = t - bonuses.session_window, set()
            for past in reversed(self.history):
                if past.at < start:
                    break
                if past.session_id:
                    sessions.add(past.session_id)
            if len(sessions) >= bonuses.session_sessions:
                found.append(("sessions", bonuses.session_pct))
        if bonuses.duration_pct:
            middle, oldest = t - bonuses.duration_window, t - 2 * bonuses.duration_window
            recent = earlier = 0
            recent_total = earlier_total = 0.0
            for past in self.timed:
                if past.at <= oldest or past.at > t:
                    continue
                assert past.duration_seconds is not None  # `timed` holds only events with a duration
                if past.at <= middle:
                    earlier, earlier_total = earlier + 1, earlier_total + past.duration_seconds
                else:
                    recent, recent_total = recent + 1, recent_total + past.duration_seconds
            if (
                recent >= bonuses.duration_sessions
                and earlier >= bonuses.duration_sessions
                and recent_total / recent > earlier_total / earlier
            ):
                found.append(("longer sessions", bonuses.duration_pct))
        if bonuses.content_pct and self._content_bonus_active(t):
            found.append(("problem → solution", bonuses.content_pct))
        return tuple(found)

    def _content_bonus_active(self, t: datetime) -> bool:
        """Solution content that followed problem content within 72 hours, no more than 7 days ago."""
        bonuses = self.config.bonuses
        for solution in reversed(self.history):
            if solution.at < t - bonuses.content_lasts:
                return False
            if solution.content_stage != "solution":
                continue
            for problem in self.history:
                if problem.at >= solution.at:
                    break
                if problem.content_stage == "problem" and problem.at >= solution.at - bonuses.content_within:
                    return True
        return False

    def _record(self, at: datetime, cause: str, before: int, **details) -> None:
        stage = self.config.stage_of(self.state.score)
        if stage != self.stage:
            self.changes.append(
                Change(at, self.stage, stage, self.state.score, cause, details.get("event_name", ""))
            )
            self.stage = stage
        if self.explain:
            self.steps.append(Step(at, cause, before, self.state.score, stage, **details))


def _push(window: deque[ScoringEvent], event: ScoringEvent, cutoff: datetime) -> None:
    """Append the event and forget what fell out of the lookback. A window not pushed to keeps its stale
    head until its next push: every scan stops at its own window start, so those events are never counted."""
    window.append(event)
    while window[0].at < cutoff:
        window.popleft()
