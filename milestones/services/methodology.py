"""The methodology as plain data for one assessment run: loaded once, shared by every chunk."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from companies.models import EventType
from core.conditions import Condition
from milestones import rules
from milestones.models import Criterion, CTARule, HealthSettings, Milestone


@dataclass(frozen=True)
class EventSet:
    """The events a count looks at: one event name, optionally narrowed by a property condition."""

    type_id: int | None  # None: no event of that name was ever received, so the count is 0
    condition: Condition | None = None
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A dictionary key hundreds of thousands of times per chunk: hash once.
        object.__setattr__(self, "_hash", hash((self.type_id, self.condition)))

    def __hash__(self) -> int:
        return self._hash

    def q(self) -> Q:
        q = Q(type_id=self.type_id)
        return q & self.condition.as_q() if self.condition else q


@dataclass(frozen=True)
class EngineCriterion:
    """A criterion as the engine reads it: the rule, and where its values come from."""

    check: rules.Check
    events: EventSet | None = None  # event count, or the ratio's numerator
    denominator: EventSet | None = None  # ratio
    metric: str | None = None  # metric

    def count_keys(self) -> list[tuple[EventSet, int | None]]:
        """The (events, window) counts this criterion needs on a day."""
        window = self.check.window_days
        return [(events, window) for events in (self.events, self.denominator) if events is not None]


@dataclass(frozen=True)
class HealthRule:
    window_days: int
    activity_weight: int
    key_action_weight: int
    key_action_type_ids: tuple[int, ...]
    key_actions_total: int


@dataclass(frozen=True)
class Methodology:
    sequence: tuple[int, ...]  # milestone ids, journey order
    criteria: dict[int, tuple[EngineCriterion, ...]]  # by milestone id
    stuck_rules: tuple[tuple[int | None, int], ...]  # (milestone id or None for any, minimum days)
    health: HealthRule
    count_keys: tuple[tuple[EventSet, int | None], ...] = field(default=())
    event_sets: tuple[EventSet, ...] = field(default=())
    metrics: tuple[str, ...] = field(default=())


def stuck_rules_load() -> tuple[tuple[int | None, int], ...]:
    """(milestone id, or None for any; minimum days at position) of the active stuck rules: what "stuck"
    means (DESIGN §4.3), for the assessment and the analytics alike. One query."""
    # The check constraint gives every stuck rule its minimum days.
    return tuple(
        (milestone_id, days or 1)
        for milestone_id, days in CTARule.objects.filter(
            is_active=True, trigger=CTARule.Trigger.STUCK
        ).values_list("milestone_id", "min_days_at_position")
    )


def methodology_load() -> Methodology:
    """Read the milestones, checklists, CTA rules and health settings once, into plain data."""
    milestones = list(Milestone.objects.in_sequence())
    type_ids = dict(EventType.objects.values_list("name", "id"))
    criteria: dict[int, list[EngineCriterion]] = {milestone.pk: [] for milestone in milestones}
    for criterion in Criterion.objects.filter(milestone__in=milestones).order_by("order", "pk"):
        criteria[criterion.milestone_id].append(_engine_criterion(criterion, type_ids))
    health = HealthSettings.current()
    key_ids = tuple(sorted(type_ids[name] for name in set(health.key_actions) if name in type_ids))
    stuck_rules = stuck_rules_load()
    all_criteria = [c for per_milestone in criteria.values() for c in per_milestone]
    count_keys = tuple(dict.fromkeys(key for c in all_criteria for key in c.count_keys() if key[0].type_id))
    return Methodology(
        sequence=tuple(milestone.pk for milestone in milestones),
        criteria={milestone_id: tuple(items) for milestone_id, items in criteria.items()},
        stuck_rules=stuck_rules,
        health=HealthRule(
            window_days=health.window_days,
            activity_weight=health.activity_weight,
            key_action_weight=health.key_action_weight,
            key_action_type_ids=key_ids,
            key_actions_total=len(set(health.key_actions)),
        ),
        count_keys=count_keys,
        event_sets=tuple(dict.fromkeys(events for events, _ in count_keys)),
        metrics=tuple(sorted({c.metric for c in all_criteria if c.metric})),
    )


def _engine_criterion(criterion: Criterion, type_ids: dict[str, int]) -> EngineCriterion:
    check = criterion.as_check()
    if criterion.kind == Criterion.Kind.METRIC:
        return EngineCriterion(check, metric=criterion.metric)
    events = EventSet(type_ids.get(criterion.event_name), criterion.property_condition)
    if criterion.kind == Criterion.Kind.RATIO:
        return EngineCriterion(
            check, events=events, denominator=EventSet(type_ids.get(criterion.denominator_event_name))
        )
    return EngineCriterion(check, events=events)
