"""Who the analytics count and how they are loaded: the filter (CSM, segment, plan, cohort), and the
journeys of the companies it selects, read in sets (two queries however many companies)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from django.db.models import F, Q, QuerySet

from companies.models import Company
from core.days import local_day
from core.queries import DayOrdinal, raw_rows
from funnel.models import Scope
from funnel.rules import Journey, journey_of
from funnel.stages import StageHistory
from journey.models import JourneyState, Stage, StageChange
from milestones.models import Achievement, Milestone
from milestones.services.methodology import stuck_rules_load


@dataclass(frozen=True)
class AnalyticsFilter:
    """The filters of DESIGN §5. Segment, plan and cohort, alone or together, are snapshot scopes; a CSM is
    computed from the companies of the CSM's book."""

    csm_id: int | None = None
    segment: str | None = None
    plan: str | None = None
    cohort: date | None = None  # the first day of the month customers started

    @property
    def scope(self) -> tuple[str, str] | None:
        """The snapshot scope of these filters; None with a CSM (computed from the CSM's book)."""
        if self.csm_id is not None:
            return None
        cohort = cohort_key(self.cohort) if self.cohort else None
        return scope_of(segment=self.segment, plan=self.plan, cohort=cohort)

    @property
    def empty(self) -> bool:
        return self.csm_id is None and self.segment is None and self.plan is None and self.cohort is None

    def condition(self, prefix: str = "") -> Q:
        """The filter as a Q over companies (`prefix`: the path to the company, e.g. "company__")."""
        q = Q()
        if self.csm_id is not None:
            q &= Q(**{f"{prefix}csm_id": self.csm_id})
        if self.segment is not None:
            q &= Q(**{f"{prefix}segment": self.segment})
        if self.plan is not None:
            q &= Q(**{f"{prefix}plan": self.plan})
        if self.cohort is not None:
            q &= Q(**{f"{prefix}customer_since__gte": self.cohort})
            if self.cohort < date(9999, 12, 1):  # the last month has no month after it
                following = date(self.cohort.year + self.cohort.month // 12, self.cohort.month % 12 + 1, 1)
                q &= Q(**{f"{prefix}customer_since__lt": following})
        return q


def cohort_key(day: date) -> str:
    return f"{day:%Y-%m}"


DIMENSIONS = ("segment", "plan", "cohort")
SEPARATOR = "\x1f"  # between the values of a combined scope: the ASCII unit separator


def scope_of(**values: str | None) -> tuple[str, str]:
    """(scope, value) of a combination of dimensions: ("all", ""), ("segment", "SMB"),
    ("segment+plan", "SMB␟Pro")…"""
    given = [(name, values[name]) for name in DIMENSIONS if values.get(name) is not None]
    if not given:
        return (Scope.ALL.value, "")
    return "+".join(name for name, _ in given), SEPARATOR.join(str(value) for _, value in given)


def scopes_of(**values: str | None) -> list[tuple[str, str]]:
    """Every scope a company with these values counts in: each subset of its dimensions (a prospect has no
    cohort)."""
    present = [name for name in DIMENSIONS if values.get(name) is not None]
    return [
        scope_of(**{name: values[name] for name in subset})
        for size in range(len(present) + 1)
        for subset in combinations(present, size)
    ]


@dataclass(frozen=True)
class Member:
    """A customer (or churned customer) as the analytics see it."""

    id: int
    segment: str
    plan: str
    csm_id: int | None
    cohort: str  # YYYY-MM of customer_since
    journey: Journey


def customers(analytics_filter: AnalyticsFilter) -> QuerySet[Company]:
    return Company.objects.filter(
        lifecycle__in=[Company.Lifecycle.CUSTOMER, Company.Lifecycle.CHURNED], customer_since__isnull=False
    ).filter(analytics_filter.condition())


def members_load(analytics_filter: AnalyticsFilter, sequence: list[int]) -> list[Member]:
    """The companies the filter selects, with their journeys."""
    companies = customers(analytics_filter)
    achievements = Achievement.objects.all()
    if not analytics_filter.empty:
        achievements = achievements.filter(company__in=companies.values("id"))
    achieved: dict[int, dict[int, int]] = defaultdict(dict)
    for company_id, milestone_id, day in raw_rows(
        achievements.order_by().values_list("company_id", "milestone_id", DayOrdinal(F("achieved_on")))
    ):
        achieved[company_id][milestone_id] = day
    rows = companies.order_by().values_list(
        "id", "segment", "plan", "csm_id", DayOrdinal(F("customer_since")), DayOrdinal(F("churned_on"))
    )
    members = []
    for company_id, segment, plan, csm_id, since, churned in raw_rows(rows):
        journey = journey_of(sequence, achieved.get(company_id, {}), since, churned)
        members.append(
            Member(company_id, segment, plan, csm_id, cohort_key(date.fromordinal(since)), journey)
        )
    return members


def stuck_thresholds(milestones: list[Milestone]) -> list[int | None]:
    """Per position k, the days after which a customer working on milestone k+1 is stuck (DESIGN §4.3: the
    smallest threshold of the active stuck rules for that milestone or for any), from the same rules the
    assessment reads (stuck_rules_load)."""
    rules = stuck_rules_load()
    thresholds: list[int | None] = []
    for milestone in milestones:
        applicable = [days for milestone_id, days in rules if milestone_id in (None, milestone.pk)]
        thresholds.append(min(applicable) if applicable else None)
    return thresholds


def scope_keys(member: Member) -> list[tuple[str, str]]:
    """The snapshot scopes a company counts in."""
    return scopes_of(segment=member.segment, plan=member.plan, cohort=member.cohort)


@dataclass(frozen=True)
class StageMember:
    id: int
    keys: list[tuple[str, str]]  # the snapshot scopes it counts in
    history: StageHistory


def stage_members_load(analytics_filter: AnalyticsFilter, stages: list[Stage]) -> list[StageMember]:
    """Every scored company the filter selects (prospects too), with its recorded stage changes."""
    index = {stage.pk: number for number, stage in enumerate(stages)}
    states = JourneyState.objects.filter(stage__isnull=False).filter(analytics_filter.condition("company__"))
    changes: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    moves = StageChange.objects.filter(from_stage__isnull=False, to_stage__isnull=False)
    if not analytics_filter.empty:
        moves = moves.filter(company__in=states.values("company_id"))
    for company_id, day, before, after in raw_rows(
        moves.order_by("company_id", "at", "id").values_list(
            "company_id", DayOrdinal(local_day("at")), "from_stage_id", "to_stage_id"
        )
    ):
        changes[company_id].append((day, index[before], index[after]))
    rows = states.order_by().values_list(
        "company_id",
        "stage_id",
        "company__segment",
        "company__plan",
        DayOrdinal(F("company__customer_since")),
    )
    members = []
    for company_id, stage_id, segment, plan, since in raw_rows(rows):
        cohort = cohort_key(date.fromordinal(since)) if since is not None else None
        keys = scopes_of(segment=segment, plan=plan, cohort=cohort)
        history = StageHistory(index[stage_id], tuple(changes.get(company_id, ())))
        members.append(StageMember(company_id, keys, history))
    return members
