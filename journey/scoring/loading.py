"""The engine's inputs from the database: the rules as the engine reads them, and events as ScoringEvents
(only the properties the rules look at, typed in SQL as conditions compare them). Reads only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from operator import itemgetter

from django.db import connection
from django.db.models import Q

from companies.models import Company, Event, EventType
from content.selectors import resource_content_stages
from core.conditions import JSONNumber, JSONText
from core.queries import raw_rows
from journey.models import ScoringRule, ScoringSettings, Stage, StageTrigger
from journey.scoring.domain import Bonuses, Config, Result, Rule, ScoringEvent, Trigger
from journey.scoring.engine import replay

# --- Configuration ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scoring:
    """The rules as the engine reads them, and what to read of each event for them."""

    config: Config
    type_ids: tuple[int, ...] | None  # event types the rules and triggers look at (None: all)
    type_names: dict[int, str]
    property_keys: tuple[str, ...]
    resource_stages: dict[str, str]  # resource URL → content stage
    stage_ids: dict[str, int]


def scoring_load() -> Scoring:
    stages = list(Stage.objects.order_by("min_score"))
    by_id = {stage.pk: stage for stage in stages}
    rules: dict[str, list[tuple[tuple, Rule]]] = defaultdict(list)
    keys: set[str] = set()
    for rule in ScoringRule.objects.filter(is_active=True):
        condition = rule.property_condition
        keys.update([condition.key] if condition else [])
        rules[rule.event_name].append(
            (
                (condition is None, rule.order, rule.pk),  # rules with a condition are tried first
                Rule(rule.pk, rule.event_name, rule.kind, rule.points, rule.ceiling, condition,
                     rule.decay_factor, rule.decay_days),
            )
        )  # fmt: skip
    triggers = []
    for trigger in StageTrigger.objects.filter(is_active=True).order_by("pk"):
        condition = trigger.property_condition
        keys.update([condition.key] if condition else [])
        floor = by_id[trigger.stage_id].min_score if trigger.stage_id else trigger.floor
        assert floor is not None  # a trigger has a stage or a fixed floor (trigger_one_effect)
        triggers.append(
            Trigger(
                trigger.pk, trigger.name, floor, by_id[trigger.stage_id].key if trigger.stage_id else None,
                frozenset(trigger.event_names), condition, trigger.min_count, trigger.counting,
                timedelta(days=trigger.window_days) if trigger.window_days else None, trigger.same_session,
            )
        )  # fmt: skip
    options = ScoringSettings.current()
    config = Config(
        rules={
            name: tuple(rule for _, rule in sorted(items, key=itemgetter(0))) for name, items in rules.items()
        },
        triggers=tuple(triggers),
        stages=tuple((stage.min_score, stage.key, stage.name) for stage in stages)
        or ((0, "target", "Target"),),
        decay_points=options.decay_points,
        decay_every=timedelta(days=options.decay_every_days),
        bonuses=Bonuses(
            session_pct=options.session_bonus,
            session_sessions=options.session_bonus_sessions,
            session_window=timedelta(days=options.session_bonus_days),
            duration_pct=options.duration_bonus,
            duration_window=timedelta(days=options.duration_bonus_days),
            duration_sessions=options.duration_bonus_sessions,
            content_pct=options.content_bonus,
            content_within=timedelta(hours=options.content_bonus_within_hours),
            content_lasts=timedelta(days=options.content_bonus_lasts_days),
        ),
    )
    names = set(rules) | {"session_started"}
    any_event = False
    for loaded in triggers:
        names.update(loaded.event_names)
        any_event = any_event or not loaded.event_names
    type_names = dict(EventType.objects.values_list("id", "name"))
    wanted = None if any_event else tuple(sorted(i for i, name in type_names.items() if name in names))
    resource_stages = resource_content_stages()
    return Scoring(
        config, wanted, type_names, tuple(sorted(keys)), resource_stages, {s.key: s.pk for s in stages}
    )


# --- Reading events -----------------------------------------------------------------------------------------


def scoring_events(scoring: Scoring, scope: Q) -> Iterator[tuple[int, ScoringEvent]]:
    """(company id, event) for the events in `scope` that scoring looks at, by company then order. Only the
    properties rules and triggers use are read, typed in SQL as conditions compare them."""
    extracted: dict[str, JSONNumber | JSONText] = {}
    for index, key in enumerate(scoring.property_keys):
        extracted[f"n{index}"] = JSONNumber("properties", key)
        extracted[f"t{index}"] = JSONText("properties", key)
    extracted["duration"] = JSONNumber("properties", "duration_seconds")
    extracted["content_stage"] = JSONText("properties", "content_stage")
    extracted["resource_url"] = JSONText("properties", "resource_url")
    rows = Event.objects.filter(scope)
    if scoring.type_ids is not None:
        rows = rows.filter(type_id__in=scoring.type_ids)
    rows = (
        rows.annotate(**extracted)
        .order_by("company_id", "occurred_at", "source", "message_id")
        .values_list(
            "company_id",
            "occurred_at",
            "source",
            "message_id",
            "type_id",
            "session_id",
            "contact_id",
            *extracted,
        )
    )
    keys = scoring.property_keys
    names, resource_stages = scoring.type_names, scoring.resource_stages
    for row in _fetch(rows):
        company_id, at, source, message_id, type_id, session_id, contact_id, *values = row
        properties = {}
        for index, key in enumerate(keys):
            number, text = values[2 * index], values[2 * index + 1]
            if number is not None:
                properties[key] = number
            elif text is not None:
                properties[key] = text
        duration, content_stage, resource_url = values[-3:]
        yield (
            company_id,
            ScoringEvent(
                at=at,
                key=f"{source}/{message_id}",
                name=names.get(type_id, ""),
                session_id=session_id,
                contact_id=contact_id,
                properties=properties,
                content_stage=content_stage or resource_stages.get(resource_url or "", ""),
                duration_seconds=duration,
            ),
        )


def _fetch(rows) -> Iterable[tuple]:
    """Rows as the driver gives them on PostgreSQL (aware datetimes, no per-row work in Django); through
    Django's converters elsewhere (SQLite returns datetimes as text)."""
    if connection.vendor == "postgresql":
        return raw_rows(rows)
    return rows.iterator(chunk_size=5000)


def by_company(pairs: Iterable[tuple[int, ScoringEvent]]) -> Iterator[tuple[int, list[ScoringEvent]]]:
    for company_id, group in groupby(pairs, key=itemgetter(0)):
        yield company_id, [event for _, event in group]


# --- One company, on demand (explanation, API as_of) ----------------------------------------------------------


@dataclass(frozen=True)
class Replay:
    result: Result
    scoring: Scoring
    events: list[ScoringEvent]  # what was replayed, in order


def journey_replay(*, company: Company, until: datetime, explain: bool = True) -> Replay:
    """The company's score as of `until` (events at `until` included), replayed from its events: what the
    stored state must equal, with every step when `explain`."""
    scoring = scoring_load()
    pairs = scoring_events(scoring, Q(company_id=company.pk, occurred_at__lte=until))
    events = [event for _, event in pairs]
    return Replay(replay(events, scoring.config, until, explain=explain), scoring, events)
