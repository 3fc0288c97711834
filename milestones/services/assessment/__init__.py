"""The daily milestone assessment of one chunk of companies (DESIGN §4.2–4.3, §4.6).

Per chunk, a fixed number of set-based queries, whatever the chunk size:
1. one aggregate pass over the chunk's events: every count the checklists need on the assessed day, the
   active days and the key actions of the health window;
2. the latest value of each metric on that day;
3. only for companies whose history must be read (never assessed, assessment days missed, events that
   arrived late, or a rebuild): their events counted per day, and their metric values;
4. the rules of milestones/rules.py over that data; then achievements, progress rows and snapshot cells.

Incremental by design: `CompanyProgress.assessed_through` records the last day for which a company's
milestones were assessed. A company assessed through yesterday needs only "do all criteria hold today?"
(the cheap pass). Any other company has its history read from the day after, so one assessment after
importing two years of events gives the dates that two years of daily runs would have given."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import Q

from core.bulk import bulk_upsert
from milestones.measures import DayValues, criterion_value, day_values, latest_metrics
from milestones.models import Achievement, CompanyProgress
from milestones.services.assessment.companies import CompanyToAssess, companies_load, first_day_to_assess
from milestones.services.assessment.history import first_day_all_hold, history_load
from milestones.services.assessment.progress import (
    ACTIVE_FIELDS,
    CHURNED_FIELDS,
    PROGRESS_FIELDS,
    progress_rows,
)
from milestones.services.methodology import EngineCriterion, Methodology


@dataclass
class ChunkResult:
    companies: int = 0
    assessed: int = 0  # active customers whose milestones were assessed for new days
    from_history: int = 0  # of those, the ones whose history was read
    achievements: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # time per phase, for the run's record
    cells: list[list] = field(default_factory=list)  # funnel snapshot cells, see snapshots.py
    csm_cells: list[list] = field(default_factory=list)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def assess_chunk(
    *,
    as_of: date,
    first_id: int,
    last_id: int,
    methodology: Methodology,
    rebuild: bool = False,
    late: dict[int, date] | None = None,
) -> ChunkResult:
    """Assess the customers with ids in [first_id, last_id] as of the end of `as_of`.

    `rebuild` re-derives every active customer's achievements from history (after a checklist changed).
    `late`: company id → the earliest day of data that arrived after the previous run; the company's
    history is re-read from that day. Safe to run again: a second run for the same day changes nothing."""
    with transaction.atomic():
        # One transaction: a consistent view of the chunk, and batch settings for its few large queries.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # JIT compiling costs more than it saves on queries of a fraction of a second; the
                # per-chunk aggregates and sorts fit in memory with a larger work_mem.
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
        return _assess(
            as_of=as_of,
            first_id=first_id,
            last_id=last_id,
            methodology=methodology,
            rebuild=rebuild,
            late=late,
        )


def _assess(
    *,
    as_of: date,
    first_id: int,
    last_id: int,
    methodology: Methodology,
    rebuild: bool,
    late: dict[int, date] | None,
) -> ChunkResult:
    timer = _Timer()
    with timer("load"):
        companies = companies_load(first_id, last_id, as_of)
    result = ChunkResult(companies=len(companies), seconds=timer.seconds)
    if not companies:
        return result
    # A company is assessed for the days it was a customer: through `as_of`, or through the day before
    # it churned. So a churned company's history still counts, and nothing after its churn does.
    previous: dict[tuple[int, int], date] = {}
    for company in companies:
        company.last = company.last_customer_day(as_of)
        company.start = first_day_to_assess(company, company.last, rebuild=rebuild, late=late or {})
        if rebuild:  # re-derive everything; what was there decides what to write
            previous.update(
                ((company.id, milestone_id), day) for milestone_id, day in company.achieved.items()
            )
            company.achieved = {}
    assessed = [company for company in companies if company.start is not None]
    by_history = [company for company in assessed if company.start is not None and company.start < as_of]
    result.assessed, result.from_history = len(assessed), len(by_history)

    day_checks = any(company.start == as_of for company in assessed)
    with timer("day values"):
        measured = day_values(
            methodology, Q(company_id__gte=first_id, company_id__lte=last_id), as_of, with_counts=day_checks
        )
    with timer("history"):
        history = history_load(methodology, by_history, first_id, last_id, len(companies), as_of)
    with timer("rules"):
        new_achievements = _achievements(assessed, methodology, measured, history, as_of)
    result.achievements = len(new_achievements)

    with timer("progress"):
        progress = progress_rows(companies, methodology, measured, as_of, rebuild=rebuild)
        result.cells, result.csm_cells = progress.cells, progress.csm_cells
    with timer("write"):
        if rebuild:
            new_achievements = _rebuild_changes(previous, new_achievements)
        bulk_upsert(
            Achievement,
            ["company", "milestone", "achieved_on"],
            new_achievements,
            conflict=["company", "milestone"],
        )
        bulk_upsert(
            CompanyProgress, PROGRESS_FIELDS, progress.active, conflict=["company"], update=ACTIVE_FIELDS
        )
        bulk_upsert(
            CompanyProgress, PROGRESS_FIELDS, progress.churned, conflict=["company"], update=CHURNED_FIELDS
        )
    return result


def _rebuild_changes(
    previous: dict[tuple[int, int], date], derived: list[tuple[int, int, date]]
) -> list[tuple]:
    """Delete the achievements a rebuild no longer finds (or finds on another day); return the ones to
    insert. A rebuild that changes nothing writes nothing."""
    current = {(company_id, milestone_id): day for company_id, milestone_id, day in derived}
    stale: dict[int, list[int]] = defaultdict(list)
    for (company_id, milestone_id), day in previous.items():
        if current.get((company_id, milestone_id)) != day:
            stale[milestone_id].append(company_id)
    for milestone_id, company_ids in stale.items():
        Achievement.objects.filter(milestone_id=milestone_id, company_id__in=company_ids).delete()
    return [(cid, mid, day) for (cid, mid), day in current.items() if previous.get((cid, mid)) != day]


class _Timer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[phase] = self.seconds.get(phase, 0.0) + time.perf_counter() - started


def _achievements(
    assessed: list[CompanyToAssess],
    methodology: Methodology,
    measured: dict[int, DayValues],
    history: dict[int, dict],
    as_of: date,
) -> list[tuple[int, int, date]]:
    """New achievements (company id, milestone id, day): on `as_of` for companies checked on that day only,
    on the first day all criteria held for the others."""
    new_achievements: list[tuple[int, int, date]] = []
    need_metrics: list[tuple[CompanyToAssess, int, tuple[EngineCriterion, ...]]] = []
    nothing = DayValues({})
    for company in assessed:
        for milestone_id, criteria in methodology.criteria.items():
            if milestone_id in company.achieved or not criteria:
                continue
            if company.start == as_of:
                values = measured.get(company.id, nothing)
                if not all(criterion_value(c, values, {})[1] for c in criteria if not c.metric):
                    continue
                if any(c.metric for c in criteria):
                    need_metrics.append((company, milestone_id, criteria))
                    continue
                achieved_on: date | None = as_of
            else:
                assert company.start is not None and company.last is not None
                achieved_on = first_day_all_hold(
                    criteria, history.get(company.id, {}), company.start, company.last
                )
            if achieved_on is not None:
                company.achieved[milestone_id] = achieved_on
                new_achievements.append((company.id, milestone_id, achieved_on))
    if need_metrics:
        # Metrics are read only for the few companies whose counts already hold: most fail on a count.
        ids = [company.id for company, _, _ in need_metrics]
        latest = latest_metrics(methodology.metrics, min(ids), max(ids), as_of)
        for company, milestone_id, criteria in need_metrics:
            metrics = latest.get(company.id, {})
            if all(criterion_value(c, nothing, metrics)[1] for c in criteria if c.metric):
                company.achieved[milestone_id] = as_of
                new_achievements.append((company.id, milestone_id, as_of))
    return new_achievements
