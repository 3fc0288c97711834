"""Reads of the methodology and of companies' progress through it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from companies.models import Company
from milestones import rules
from milestones.measures import DayValues, criterion_value, day_values, health_from, latest_metrics
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


def stuck_accounts(*, user) -> QuerySet[CompanyProgress]:
    """The user's stuck customers, longest stuck first (served by the progress_stuck partial index)."""
    companies = Company.objects.visible_to(user).filter(csm=user)
    return (
        CompanyProgress.objects.filter(company__in=companies, active=True, stuck_since__isnull=False)
        .select_related("company", "current_milestone")
        .order_by("stuck_since", "company__name")
    )


# --- One company on one day (the journey API, DESIGN §11) -------------------------------------------------------


@dataclass(frozen=True)
class CriterionValue:
    criterion: Criterion
    value: float | int | None  # the count, ratio or metric on the day; None: no metric value, no denominator
    met: bool


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
            values[criterion.check.id] = CriterionValue(models[criterion.check.id], value, met)
    return CompanyMeasures(values, health_from(measured, methodology.health))
