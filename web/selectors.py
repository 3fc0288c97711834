"""Reads that compose several apps: the company lists and pages, and a company's journey as the API gives it
(DESIGN §11). Every lookup goes through the user's scope (CSMs: their own companies)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from companies.models import Company
from content.models import Resource
from core.days import day_end, today
from journey.selectors import JourneyExplanation, journey_explanation
from milestones import rules
from milestones.models import Achievement, Milestone
from milestones.selectors import CriterionValue, company_measures, milestone_sequence


def company_list(*, user) -> QuerySet[Company]:
    """The companies the user may see, with what a list row shows: CSM, progress and buyer stage."""
    return Company.objects.visible_to(user).select_related(
        "csm", "progress", "progress__current_milestone", "journey", "journey__stage"
    )


def company_get(*, user, external_id: str) -> Company:
    """The company if the user may see it; 404 otherwise, so other CSMs' companies do not even exist."""
    return get_object_or_404(company_list(user=user), external_id=external_id)


@dataclass(frozen=True)
class MilestoneStatus:
    milestone: Milestone
    achieved_on: date | None
    criteria: list[CriterionValue]


@dataclass(frozen=True)
class RecommendedResource:
    resource: Resource
    reason: str  # "milestone": helps with the current milestone; "stage": content for the buyer stage


@dataclass(frozen=True)
class CompanyJourney:
    company: Company
    as_of: date
    score: int  # hundredths
    stage: str
    position: int
    current_milestone: Milestone | None
    days_at_position: int | None
    milestones: list[MilestoneStatus]
    health: int | None
    health_detail: rules.Health | None  # what the health score is made of (DESIGN §4.6)
    recommended_resources: list[RecommendedResource]
    explanation: JourneyExplanation  # why the score is what it is (DESIGN §3.7)


def company_journey(
    *, company: Company, as_of: date | None = None, chart_days: int | None = None
) -> CompanyJourney:
    """Where the company stands at the end of `as_of` (default: now): its buyer-journey score replayed from
    its events, its milestones with the dates achieved by then and each criterion's value on the day, its
    position (DESIGN §4.3) and health, and the content for its current milestone and stage.

    Position, days at position and health describe a customer: for a company that was not one on the day
    (a prospect, or not started yet) they are 0 / null / null; a churned company keeps the position it had
    when it churned, and has no health after it. `chart_days`: the score chart's span (the page's)."""
    until: datetime = day_end(as_of) if as_of else timezone.now()
    day = as_of or today()
    explanation = journey_explanation(company=company, at=until, chart_days=chart_days)
    score, stage = explanation.score, explanation.stage

    sequence = milestone_sequence()
    achieved = dict(
        Achievement.objects.filter(company=company, achieved_on__lte=day).values_list(
            "milestone_id", "achieved_on"
        )
    )
    measures = company_measures(company=company, day=day)
    by_milestone: dict[int, list[CriterionValue]] = {milestone.pk: [] for milestone in sequence}
    for value in measures.criteria.values():
        by_milestone[value.criterion.milestone_id].append(value)

    position, current, days_at_position, health = 0, None, None, None
    health_detail: rules.Health | None = None
    started = company.customer_since is not None and company.customer_since <= day
    if company.customer_since is not None and started and company.lifecycle != Company.Lifecycle.PROSPECT:
        standing = rules.standing_on(
            [m.pk for m in sequence],
            {m: d.toordinal() for m, d in achieved.items()},
            company.customer_since.toordinal(),
            company.churned_on.toordinal() if company.churned_on else None,
            day.toordinal(),
        )
        position = standing.position.position
        current = next((m for m in sequence if m.pk == standing.position.current), None)
        days_at_position = standing.days_at_position
        health = measures.health.score if standing.active else None
        health_detail = measures.health if standing.active else None

    recommended = []
    if current is not None:
        recommended = [
            RecommendedResource(resource, "milestone")
            for resource in Resource.objects.filter(milestones=current).order_by("title")
        ]
    shown = {item.resource.pk for item in recommended}
    recommended += [
        RecommendedResource(resource, "stage")
        for resource in Resource.objects.filter(stages__key=stage).order_by("title")
        if resource.pk not in shown
    ]
    return CompanyJourney(
        company=company,
        as_of=day,
        score=score,
        stage=stage,
        position=position,
        current_milestone=current,
        days_at_position=days_at_position,
        milestones=[
            MilestoneStatus(milestone, achieved.get(milestone.pk), by_milestone[milestone.pk])
            for milestone in sequence
        ],
        health=health,
        health_detail=health_detail,
        recommended_resources=recommended,
        explanation=explanation,
    )
