"""The companies of a chunk as the assessment reads them: their dates, progress and achievements."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F

from companies.models import Company
from core.queries import DayOrdinal, raw_rows
from milestones.models import Achievement, CompanyProgress


@dataclass
class CompanyToAssess:
    """A customer (or churned company) of the chunk, and what the assessment decides about it."""

    id: int
    since: date
    churned_on: date | None
    segment: str
    plan: str
    csm_id: int | None
    assessed_through: date | None
    progress_as_of: date | None
    achieved: dict[int, date]
    start: date | None = None  # first day to assess; None: nothing new to assess
    last: date | None = None  # last day to assess: the assessed day, or the day before the churn

    def last_customer_day(self, as_of: date) -> date:
        """The last day it was a customer, up to `as_of`: `as_of`, or the day before its churn."""
        if self.churned_on is not None and self.churned_on <= as_of:
            return self.churned_on - timedelta(days=1)
        return as_of


def companies_load(first_id: int, last_id: int, as_of: date) -> list[CompanyToAssess]:
    """Customers and churned companies that had started by `as_of`, with their progress and achievements."""
    # Dates come back as day ordinals (plain integers, no per-row conversion in Django).
    rows = Company.objects.filter(
        id__gte=first_id,
        id__lte=last_id,
        lifecycle__in=[Company.Lifecycle.CUSTOMER, Company.Lifecycle.CHURNED],
        customer_since__lte=as_of,
    ).values_list(
        "id", DayOrdinal(F("customer_since")), DayOrdinal(F("churned_on")), "segment", "plan", "csm_id"
    )
    progress = {
        company_id: (_day(through), _day(progress_as_of))
        for company_id, through, progress_as_of in raw_rows(
            CompanyProgress.objects.filter(company_id__gte=first_id, company_id__lte=last_id).values_list(
                "company_id", DayOrdinal(F("assessed_through")), DayOrdinal(F("as_of"))
            )
        )
    }
    achieved: dict[int, dict[int, date]] = defaultdict(dict)
    for company_id, milestone_id, day in raw_rows(
        Achievement.objects.filter(company_id__gte=first_id, company_id__lte=last_id).values_list(
            "company_id", "milestone_id", DayOrdinal(F("achieved_on"))
        )
    ):
        achieved[company_id][milestone_id] = date.fromordinal(day)
    return [
        CompanyToAssess(
            id=company_id,
            since=date.fromordinal(since),
            churned_on=_day(churned_on),
            segment=segment,
            plan=plan,
            csm_id=csm_id,
            assessed_through=progress.get(company_id, (None, None))[0],
            progress_as_of=progress.get(company_id, (None, None))[1],
            achieved=achieved.get(company_id, {}),
        )
        for company_id, since, churned_on, segment, plan, csm_id in raw_rows(rows)
    ]


def _day(ordinal: int | None) -> date | None:
    return date.fromordinal(ordinal) if ordinal is not None else None


def first_day_to_assess(
    company: CompanyToAssess, last: date, *, rebuild: bool, late: dict[int, date]
) -> date | None:
    """The first day not assessed yet (or to re-read because of late data); None when there is none."""
    if last < company.since:
        return None  # churned on the day it started: never a customer for a whole day
    if rebuild or company.assessed_through is None:
        return company.since
    start = company.assessed_through + timedelta(days=1)
    late_day = late.get(company.id)
    if late_day is not None and late_day < start:
        start = late_day
    start = max(start, company.since)
    return start if start <= last else None
