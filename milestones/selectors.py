"""Reads of the methodology and of companies' progress through it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone

from companies.models import Company, Event
from core.days import day_end, workspace_tz
from milestones import rules
from milestones.measures import (
    DayValues,
    criterion_value,
    day_values,
    health_from,
    latest_metrics,
    window_start,
)
from milestones.models import (
    Achievement,
    CompanyProgress,
    Criterion,
    Milestone,
)
from milestones.services.methodology import methodology_load


def milestone_sequence() -> list[Milestone]:
    """Milestones in journey order: phase order, then milestone order."""
    return list(Milestone.objects.in_sequence())


@dataclass(frozen=True)
class TimelineEntry:
    milestone: Milestone
    achieved_on: date | None
    state: (
        str  # "done" (in the unbroken run), "out_of_order" (achieved, predecessor missing), "current", "todo"
    )


def company_timeline(*, company: Company) -> list[TimelineEntry]:
    """Each milestone in sequence with the company's achievement date, and where it stands against the
    position (DESIGN §4.3): done (in the unbroken run), current (the next one), achieved out of order, or
    to do."""
    achieved = dict(Achievement.objects.filter(company=company).values_list("milestone_id", "achieved_on"))
    sequence = milestone_sequence()
    position = rules.position_of(
        [milestone.pk for milestone in sequence], {m: day.toordinal() for m, day in achieved.items()}, 0
    ).position
    entries = []
    for index, milestone in enumerate(sequence):
        day = achieved.get(milestone.pk)
        if index < position:
            state = "done"
        elif index == position:
            state = "current"
        else:
            state = "out_of_order" if day is not None else "todo"
        entries.append(TimelineEntry(milestone, day, state))
    return entries


def company_progress(*, company: Company) -> CompanyProgress | None:
    return CompanyProgress.objects.select_related("current_milestone").filter(company=company).first()


# --- One company on one day (the journey API, DESIGN §11) -------------------------------------------------------


@dataclass(frozen=True)
class CriterionValue:
    criterion: Criterion
    value: float | int | None  # the count, ratio or metric on the day; None: no metric value, no denominator
    met: bool
    counts: tuple[int, int] | None = None  # a ratio's numerator and denominator counts


@dataclass(frozen=True)
class CompanyMeasures:
    """A company's checklist values and health at the end of a day, measured as the assessment measures
    them (milestones/measures.py)."""

    criteria: dict[int, CriterionValue]  # by criterion id, every criterion of the methodology
    health: rules.Health


def company_measures(*, company: Company, day: date) -> CompanyMeasures:
    """Each criterion's value and whether it holds, and health, for one company at the end of `day`."""
    methodology = methodology_load()
    measured = day_values(methodology, Q(company_id=company.pk), day, with_counts=True).get(
        company.pk, DayValues({})
    )
    metrics = latest_metrics(methodology.metrics, company.pk, company.pk, day).get(company.pk, {})
    models = Criterion.objects.filter(milestone_id__in=methodology.sequence).in_bulk()
    values = {}
    for criteria in methodology.criteria.values():
        for criterion in criteria:
            value, met = criterion_value(criterion, measured, metrics)
            counts = None
            if criterion.denominator is not None:
                window = criterion.check.window_days
                counts = (
                    measured.count(criterion.events, window),
                    measured.count(criterion.denominator, window),
                )
            values[criterion.check.id] = CriterionValue(models[criterion.check.id], value, met, counts)
    return CompanyMeasures(values, health_from(measured, methodology.health))


@dataclass(frozen=True)
class CriterionGap:
    """Why a criterion does not hold yet (DESIGN §6, "why not yet"): `more` events of `event_name`, by
    `by` for a count in a window; for a ratio, `denominator_more` events of the denominator first."""

    more: int = 0
    event_name: str = ""
    by: date | None = None
    denominator_more: int = 0
    denominator_event_name: str = ""


def criterion_gaps(*, company: Company, values: list[CriterionValue], day: date) -> dict[int, CriterionGap]:
    """The gap of each "at least" criterion among `values` that does not hold on `day`, by criterion id.
    One query per unmet windowed count (the oldest event it counts), read through event_company_type_time."""
    gaps: dict[int, CriterionGap] = {}
    for item in values:
        criterion = item.criterion
        if item.met or criterion.kind == Criterion.Kind.METRIC:
            continue
        check = criterion.as_check()
        if criterion.kind == Criterion.Kind.RATIO:
            top, bottom = item.counts or (0, 0)
            if bottom < check.min_denominator:
                gaps[criterion.pk] = CriterionGap(
                    denominator_more=check.min_denominator - bottom,
                    denominator_event_name=criterion.denominator_event_name,
                )
            elif check.comparator in ("gte", "gt"):
                more = max(0, rules.fewest_numerator(check, bottom) - top)
                gaps[criterion.pk] = CriterionGap(more=more, event_name=criterion.event_name)
            continue
        count = int(item.value or 0)
        oldest = None
        if check.window_days and count:
            oldest = _oldest_counted_day(company, criterion, day)
        more, by = rules.events_still_needed(
            check, count, oldest.toordinal() if oldest else None, day.toordinal()
        )
        if more:
            gaps[criterion.pk] = CriterionGap(
                more=more, event_name=criterion.event_name, by=date.fromordinal(by) if by else None
            )
    return gaps


def _oldest_counted_day(company: Company, criterion: Criterion, day: date) -> date | None:
    assert criterion.window_days is not None
    events = Event.objects.filter(
        company=company,
        type__name=criterion.event_name,
        occurred_at__gte=window_start(day, criterion.window_days),
        occurred_at__lt=day_end(day),
    )
    condition = criterion.property_condition
    if condition is not None:
        events = events.filter(condition.as_q())
    first = events.order_by("occurred_at").values_list("occurred_at", flat=True).first()
    return timezone.localtime(first, workspace_tz()).date() if first else None
