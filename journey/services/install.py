from __future__ import annotations

from collections import Counter

from django.db import transaction

from core.ordering import apply_values, next_free, place_in_order
from journey.defaults import RULES, STAGES, TRIGGERS
from journey.models import ScoringRule, ScoringSettings, Stage, StageTrigger


@transaction.atomic
def stages_install(*, reset: bool = False) -> Counter:
    """Install the five default stages of DESIGN §3.1.

    Without `reset`, missing stages are created and existing ones keep the admins' edits (a missing stage
    whose lower bound another stage now holds is not recreated: two stages cannot share a bound). With
    `reset`, exactly the five defaults remain, with their names, bounds and order."""
    report: Counter = Counter()
    defaults = {spec["key"]: spec for spec in STAGES}
    if reset:
        report["stages removed"] += Stage.objects.exclude(key__in=defaults).delete()[0]
        for stage in Stage.objects.all():
            spec = defaults[stage.key]
            if apply_values(stage, {"name": spec["name"], "description": spec["description"]}):
                stage.save(update_fields=["name", "description"])
                report["stages restored"] += 1
        existing = {stage.key: stage.pk for stage in Stage.objects.all()}
        for key, spec in defaults.items():
            if key not in existing:
                existing[key] = _create(spec, order=next_free(Stage.objects, "order", 30000), min_score=None)
                report["stages created"] += 1
        scope = Stage.objects.all()
        place_in_order(scope, "order", {existing[key]: spec["order"] for key, spec in defaults.items()})
        place_in_order(
            scope,
            "min_score",
            {existing[key]: spec["min_score"] for key, spec in defaults.items()},
            parking=range(1000, -1, -1),  # bounds must stay within 0.00–10.00 while parked
        )
        return report

    present = set(Stage.objects.values_list("key", flat=True))
    for key, spec in defaults.items():
        if key in present:
            continue
        if Stage.objects.filter(min_score=spec["min_score"]).exists():
            report["stages skipped (bound held by another stage)"] += 1
            continue
        _create(spec, order=next_free(Stage.objects, "order", spec["order"]), min_score=spec["min_score"])
        report["stages created"] += 1
    return report


def _create(spec: dict, *, order: int, min_score: int | None) -> int:
    if min_score is None:
        taken = set(Stage.objects.values_list("min_score", flat=True))
        min_score = next(value for value in range(1000, -1, -1) if value not in taken)
    stage = Stage.objects.create(
        key=spec["key"], name=spec["name"], description=spec["description"], order=order, min_score=min_score
    )
    return stage.pk


@transaction.atomic
def scoring_install(*, reset: bool = False) -> Counter:
    """Install the default scoring rules, stage triggers and settings of DESIGN §3. Without `reset`, a rule
    is added when no rule exists for its event name (admins own the others) and a trigger when its name is
    absent. With `reset`, the defaults replace the rules of their event names and the triggers of their
    names; rules and triggers admins added for other events stay."""
    report: Counter = Counter()
    stages = {stage.key: stage for stage in Stage.objects.all()}
    by_event: dict[str, list[dict]] = {}
    for spec in RULES:
        by_event.setdefault(spec["event_name"], []).append(spec)
    for event_name, specs in by_event.items():
        existing = ScoringRule.objects.filter(event_name=event_name)
        if existing.exists() and not reset:
            continue
        report["scoring rules removed"] += existing.delete()[0] if reset else 0
        for spec in specs:
            rule = ScoringRule(**{"order": 100, **spec})
            rule.full_clean()
            rule.save()
            report["scoring rules created"] += 1
    for spec in TRIGGERS:
        stage = stages.get(spec["stage"]) if spec["stage"] else None
        if spec["stage"] and stage is None:
            continue  # its stage was removed
        values = {**{k: v for k, v in spec.items() if k not in ("name", "stage")}, "stage": stage}
        trigger = StageTrigger.objects.filter(name=spec["name"]).first()
        if trigger is None:
            trigger = StageTrigger(name=spec["name"], **values)
            trigger.full_clean()
            trigger.save()
            report["stage triggers created"] += 1
        elif reset and apply_values(trigger, {**values, "is_active": True}):
            trigger.full_clean()
            trigger.save()
            report["stage triggers restored"] += 1
    if not ScoringSettings.objects.exists():
        ScoringSettings.objects.create(id=1)
        report["scoring settings created"] += 1
    elif reset:
        ScoringSettings.objects.filter(id=1).delete()
        ScoringSettings.objects.create(id=1)
        report["scoring settings restored"] += 1
    return report
