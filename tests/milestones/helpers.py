"""Building histories for assessment tests: events on given local days, metric values, one methodology."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time

from companies.models import Event, EventType, MetricValue
from core.days import workspace_tz
from milestones.models import Criterion, Milestone, Phase
from milestones.services import runs

_ids = itertools.count()


def on(day: str, hour: int = 12, minute: int = 0) -> datetime:
    """A moment on a workspace-local day."""
    return datetime.combine(date.fromisoformat(day), time(hour, minute), tzinfo=workspace_tz())


def add_events(company, name: str, day: str, count: int = 1, *, hour: int = 12, properties=None) -> None:
    event_type, _ = EventType.objects.get_or_create(name=name)
    Event.objects.bulk_create(
        Event(
            company=company,
            type=event_type,
            occurred_at=on(day, hour),
            source="test",
            message_id=f"t-{next(_ids)}",
            properties=properties or {},
        )
        for _ in range(count)
    )


def add_metric(company, metric: str, day: str, value: float) -> None:
    MetricValue.objects.update_or_create(
        company=company, metric=metric, date=date.fromisoformat(day), defaults={"value": value}
    )


def milestone(key: str, *criteria: dict, phase_order: int = 1, order: int = 1) -> Milestone:
    phase, _ = Phase.objects.get_or_create(
        order=phase_order, defaults={"key": f"p{phase_order}", "name": f"P{phase_order}"}
    )
    result = Milestone.objects.create(phase=phase, key=key, name=key.title(), order=order)
    for index, spec in enumerate(criteria, start=1):
        Criterion.objects.create(milestone=result, order=index, **spec)
    return result


def count(event: str, threshold: float, window: int | None = None, comparator: str = "gte", **extra) -> dict:
    return {
        "kind": "event_count",
        "event_name": event,
        "threshold": threshold,
        "window_days": window,
        "comparator": comparator,
        **extra,
    }


def metric(name: str, threshold: float, comparator: str = "gte") -> dict:
    return {"kind": "metric", "metric": name, "threshold": threshold, "comparator": comparator}


def ratio(numerator: str, denominator: str, threshold: float, window: int | None, minimum: int) -> dict:
    return {
        "kind": "ratio",
        "event_name": numerator,
        "denominator_event_name": denominator,
        "threshold": threshold,
        "window_days": window,
        "min_denominator": minimum,
    }


def assess(day: str, *, rebuild: bool = False) -> dict:
    return runs.run_inline(job="milestones", as_of=date.fromisoformat(day), rebuild=rebuild)


def achieved(company) -> dict[str, str]:
    return {
        a.milestone.key: a.achieved_on.isoformat() for a in company.achievements.select_related("milestone")
    }
