"""Reads of the methodology and of companies' progress through it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Max, QuerySet, Sum

from journey.models import Company
from milestones.models import Achievement, CompanyProgress, FunnelSnapshot, Milestone


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
    """Each milestone in sequence with the company's achievement date. The position is the unbroken run of
    achieved milestones from the first (DESIGN §4.3); the current milestone is the one after it."""
    achieved = dict(Achievement.objects.filter(company=company).values_list("milestone_id", "achieved_on"))
    entries: list[TimelineEntry] = []
    in_run = True
    for milestone in milestone_sequence():
        day = achieved.get(milestone.pk)
        if day is not None and in_run:
            state = "done"
        elif day is not None:
            state = "out_of_order"
        elif in_run:
            state, in_run = "current", False
        else:
            state = "todo"
        entries.append(TimelineEntry(milestone, day, state))
    return entries


def company_progress(*, company: Company) -> CompanyProgress | None:
    return CompanyProgress.objects.select_related("current_milestone").filter(company=company).first()


def stuck_accounts(*, user) -> QuerySet[CompanyProgress]:
    """The user's stuck customers, longest stuck first (served by the progress_stuck partial index)."""
    from journey.models import Company

    companies = Company.objects.visible_to(user).filter(csm=user)
    return (
        CompanyProgress.objects.filter(company__in=companies, active=True, stuck_since__isnull=False)
        .select_related("company", "current_milestone")
        .order_by("stuck_since", "company__name")
    )


@dataclass(frozen=True)
class FunnelRow:
    milestone: Milestone
    reached: int  # customers whose position is past this milestone
    at: int  # customers working on it
    stuck: int
    mean_health: float | None


@dataclass(frozen=True)
class Funnel:
    as_of: date | None
    customers: int
    rows: list[FunnelRow]
    completed: int  # customers past the last milestone

    @property
    def bottleneck(self) -> FunnelRow | None:
        stuck = [row for row in self.rows if row.stuck]
        return max(stuck, key=lambda row: row.stuck) if stuck else None


def funnel_latest() -> Funnel:
    """The success funnel of the latest snapshot day: per milestone, the active customers that reached it
    (position ≥ its number), work on it, and are stuck at it."""
    as_of = FunnelSnapshot.objects.aggregate(day=Max("as_of"))["day"]
    sequence = milestone_sequence()
    if as_of is None:
        return Funnel(None, 0, [FunnelRow(m, 0, 0, 0, None) for m in sequence], 0)
    by_position = {
        row["position"]: row
        for row in FunnelSnapshot.objects.filter(as_of=as_of)
        .values("position")
        .annotate(
            customers=Sum("customers"),
            stuck=Sum("stuck"),
            health_total=Sum("health_total"),
            health_count=Sum("health_count"),
        )
    }
    total = sum(row["customers"] for row in by_position.values())
    rows = []
    for index, milestone in enumerate(sequence):
        here = by_position.get(index, {})
        reached = sum(row["customers"] for position, row in by_position.items() if position > index)
        health_count = here.get("health_count") or 0
        rows.append(
            FunnelRow(
                milestone=milestone,
                reached=reached,
                at=here.get("customers", 0),
                stuck=here.get("stuck", 0),
                mean_health=round(here["health_total"] / health_count, 1) if health_count else None,
            )
        )
    completed = sum(row["customers"] for position, row in by_position.items() if position >= len(sequence))
    return Funnel(as_of, total, rows, completed)
