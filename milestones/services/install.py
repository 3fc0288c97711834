from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import transaction

from core.ordering import apply_values, next_free, place_in_order
from milestones.defaults import CTA_RULES, CTA_TYPES, HEALTH, PHASES
from milestones.models import Criterion, CTARule, CTAType, HealthSettings, Milestone, Phase

_PHASE_FIELDS = ("name", "goal", "typical_duration", "start_requirements")
_MILESTONE_FIELDS = ("name", "description", "target_days")


@transaction.atomic
def milestones_install(*, reset: bool = False) -> Counter:
    """Install the default phases, milestones and checklists of DESIGN §9.

    Without `reset`, only what is missing is created (by key); phases, milestones and checklists that
    exist keep the admins' edits. With `reset`, the default phases and milestones get back their default
    fields, order and checklist; phases and milestones admins added stay, after the defaults."""
    report: Counter = Counter()
    phase_orders: dict[int, int] = {}
    for phase_order, phase_spec in enumerate(PHASES, start=1):
        values = {name: phase_spec[name] for name in _PHASE_FIELDS}
        phase = Phase.objects.filter(key=phase_spec["key"]).first()
        if phase is None:
            phase = Phase.objects.create(
                key=phase_spec["key"], order=next_free(Phase.objects, "order", phase_order), **values
            )
            report["phases created"] += 1
        elif reset and apply_values(phase, values):
            phase.save()
            report["phases restored"] += 1
        if reset:
            phase_orders[phase.pk] = phase_order
        _install_milestones(phase, phase_spec["milestones"], reset=reset, report=report)
    place_in_order(Phase.objects.all(), "order", phase_orders)
    _install_cta_rules(reset=reset, report=report)
    _install_health(reset=reset, report=report)
    return report


def _install_cta_rules(*, reset: bool, report: Counter) -> None:
    types = {}
    for spec in CTA_TYPES:
        cta_type, created = CTAType.objects.get_or_create(slug=spec["slug"], defaults={"name": spec["name"]})
        if created:
            report["CTA types created"] += 1
        types[spec["slug"]] = cta_type
    for spec in CTA_RULES:
        milestone = Milestone.objects.filter(key=spec["milestone"]).first() if spec["milestone"] else None
        if spec["milestone"] and milestone is None:
            continue  # its milestone was removed: the rule would apply to every milestone instead
        values: dict[str, Any] = {
            key: value for key, value in spec.items() if key not in ("name", "milestone", "cta_type")
        }
        values["cta_type"] = types[spec["cta_type"]]
        rule = CTARule.objects.filter(name=spec["name"]).first()
        if rule is None:
            CTARule.objects.create(name=spec["name"], milestone=milestone, **values)
            report["CTA rules created"] += 1
        elif reset and apply_values(rule, {"milestone": milestone, **values}):
            rule.save()
            report["CTA rules restored"] += 1


def _install_health(*, reset: bool, report: Counter) -> None:
    health = HealthSettings.objects.filter(id=1).first()
    if health is None:
        HealthSettings.objects.create(id=1, **HEALTH)
        report["health settings created"] += 1
    elif reset and apply_values(health, HEALTH):
        health.save()
        report["health settings restored"] += 1


def _install_milestones(phase: Phase, specs: list[dict], *, reset: bool, report: Counter) -> None:
    orders: dict[int, int] = {}
    for milestone_order, spec in enumerate(specs, start=1):
        values = {name: spec.get(name) for name in _MILESTONE_FIELDS}
        milestone = Milestone.objects.filter(key=spec["key"]).first()
        if milestone is None:
            milestone = Milestone.objects.create(
                phase=phase,
                key=spec["key"],
                order=next_free(phase.milestones.all(), "order", milestone_order),
                **values,
            )
            _install_criteria(milestone, spec["criteria"])
            report["milestones created"] += 1
            report["criteria created"] += len(spec["criteria"])
        elif reset:
            if milestone.phase_id != phase.pk:
                # Park it on a free order in its default phase; place_in_order puts it where it belongs.
                milestone.phase = phase
                milestone.order = next_free(phase.milestones.all(), "order", 30000)
            apply_values(milestone, values)
            milestone.save()
            milestone.criteria.all().delete()
            _install_criteria(milestone, spec["criteria"])
            report["milestones restored"] += 1
        if reset:
            orders[milestone.pk] = milestone_order
    place_in_order(Milestone.objects.filter(phase=phase), "order", orders)


def _install_criteria(milestone: Milestone, specs: list[dict]) -> None:
    for order, spec in enumerate(specs, start=1):
        criterion = Criterion(milestone=milestone, order=order, **spec)
        criterion.full_clean()
        criterion.save()
