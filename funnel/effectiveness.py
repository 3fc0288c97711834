"""CTA effectiveness: per CTA rule and per CTA type, the share of companies that achieved the CTA's milestone
within 30, 60 and 90 days after the CTA was done, against those whose CTA was snoozed or closed as not needed.

The rule (`effectiveness_of`) is a plain function over observations; the selector (`cta_effectiveness`) reads
them in one query (the snooze day and the achievement day are subqueries), however many companies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import DateField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from core.days import local_day
from ctas.models import CTA, CTAChange
from funnel.members import AnalyticsFilter
from milestones.models import Achievement

HORIZONS = (30, 60, 90)
DONE, NOT_ACTED = "done", "not_acted"
GROUPS = (DONE, NOT_ACTED)
BY_HAND = "By hand"


@dataclass(frozen=True)
class Observation:
    """One CTA as the measure reads it: its rule and type, its group, the day it counts from, and the day
    its company achieved the CTA's milestone (None: not achieved by the as-of day)."""

    rule: str  # the rule's name, or BY_HAND
    cta_type: str
    company_id: int
    group: str  # DONE or NOT_ACTED
    day: date
    achieved_on: date | None


@dataclass(frozen=True)
class Cell:
    horizon: int
    n: int  # companies whose horizon had fully passed by the as-of day
    moved: int

    @property
    def share(self) -> float | None:
        return self.moved / self.n if self.n else None


@dataclass(frozen=True)
class Row:
    name: str
    group: str
    cells: tuple[Cell, ...]  # one per horizon, in HORIZONS order


@dataclass(frozen=True)
class Effectiveness:
    as_of: date
    by_rule: list[Row]
    by_type: list[Row]


def _rows(observations: Iterable[Observation], key, as_of: date) -> list[Row]:
    # A company counts once per name and group, from its earliest CTA there: a recurring rule's second CTA
    # would otherwise weigh the same company twice.
    first: dict[tuple[str, str, int], Observation] = {}
    for o in observations:
        k = (key(o), o.group, o.company_id)
        if k not in first or o.day < first[k].day:
            first[k] = o
    names = sorted({name for name, _, _ in first}, key=lambda name: (name == BY_HAND, name))
    rows = []
    for name in names:
        for group in GROUPS:
            members = [o for (n, g, _), o in first.items() if n == name and g == group]
            cells = []
            for horizon in HORIZONS:
                # Only CTAs whose horizon has fully passed by the as-of day: a younger one might still move.
                ripe = [o for o in members if o.day + timedelta(days=horizon) <= as_of]
                moved = sum(
                    1
                    for o in ripe
                    if o.achieved_on is not None and o.achieved_on <= o.day + timedelta(days=horizon)
                )
                cells.append(Cell(horizon, len(ripe), moved))
            rows.append(Row(name, group, tuple(cells)))
    return rows


def effectiveness_of(observations: list[Observation], as_of: date) -> Effectiveness:
    """Per rule and per type, each group's n, moved and share at each horizon. Moved: achieved the milestone
    on a day from the CTA's day to day + horizon, both inclusive."""
    return Effectiveness(
        as_of,
        _rows(observations, lambda o: o.rule, as_of),
        _rows(observations, lambda o: o.cta_type, as_of),
    )


def cta_effectiveness(analytics_filter: AnalyticsFilter, as_of: date) -> Effectiveness:
    """The CTAs of the filtered companies that were done, not needed or snoozed by the as-of day."""
    first_snooze = (
        CTAChange.objects.filter(cta=OuterRef("pk"), field="status", to_value=CTA.Status.SNOOZED)
        .order_by("at", "id")
        .values(day=local_day("at"))[:1]
    )
    achieved = Achievement.objects.filter(
        company=OuterRef("company_id"), milestone=OuterRef("milestone_id"), achieved_on__lte=as_of
    ).values("achieved_on")[:1]
    closed = Q(status=CTA.Status.CLOSED, outcome__in=[CTA.Outcome.DONE, CTA.Outcome.NOT_NEEDED])
    rows = (
        CTA.objects.filter(analytics_filter.condition("company__"), milestone__isnull=False)
        .annotate(
            # A snooze without a recorded change (history trimmed) counts from the day the CTA opened.
            snoozed_on=Subquery(first_snooze, output_field=DateField()),
            achieved_on=Subquery(achieved, output_field=DateField()),
        )
        .filter(closed | Q(snoozed_on__isnull=False) | Q(status=CTA.Status.SNOOZED))
        .annotate(snooze_day=Coalesce("snoozed_on", "created_on"))
        .order_by()
        .values_list(
            "rule__name",
            "cta_type__name",
            "company_id",
            "outcome",
            "closed_on",
            "snooze_day",
            "snoozed_on",
            "status",
            "achieved_on",
        )
    )
    observations = []
    for rule, cta_type, company_id, outcome, closed_on, snooze_day, snoozed_on, status, achieved_on in rows:
        if outcome in (CTA.Outcome.DONE, CTA.Outcome.NOT_NEEDED):
            group, day = (DONE if outcome == CTA.Outcome.DONE else NOT_ACTED), closed_on
        elif snoozed_on is not None or status == CTA.Status.SNOOZED:
            group, day = NOT_ACTED, snooze_day
        else:
            continue  # closed otherwise (milestone achieved, churned) and never snoozed: neither group
        if day > as_of or (achieved_on is not None and achieved_on < day):
            continue  # after the day; or the company had the milestone already: nothing left to move
        observations.append(Observation(rule or BY_HAND, cta_type, company_id, group, day, achieved_on))
    return effectiveness_of(observations, as_of)
