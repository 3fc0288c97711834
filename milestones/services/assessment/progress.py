"""Each company's progress row (position, stuck, health) as of the assessed day, and the chunk's funnel
snapshot cells."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from django.utils import timezone

from milestones import rules
from milestones.measures import DayValues, health_from
from milestones.services.assessment.companies import CompanyToAssess
from milestones.services.methodology import Methodology


class ProgressRow(NamedTuple):
    """A CompanyProgress row, field for field (bulk_upsert writes the tuple as it is)."""

    company: int
    as_of: date
    assessed_through: date | None
    active: bool
    position: int
    current_milestone: int | None
    position_since: date
    days_at_position: int
    stuck_since: date | None
    health: int | None
    active_days: int
    key_actions_used: int
    key_actions_total: int
    health_window_days: int
    updated_at: datetime


PROGRESS_FIELDS = list(ProgressRow._fields)
ACTIVE_FIELDS = PROGRESS_FIELDS[1:]
# A churned company keeps its last health: it is not measured any more.
CHURNED_FIELDS = [*PROGRESS_FIELDS[1 : PROGRESS_FIELDS.index("health")], "updated_at"]

CELL_COUNTS = ("customers", "stuck", "churned", "health_total", "health_count")  # see snapshots.py


@dataclass
class Progress:
    """The chunk's progress rows (active customers, churned companies) and snapshot cells."""

    active: list[ProgressRow] = field(default_factory=list)
    churned: list[ProgressRow] = field(default_factory=list)
    cells: list[list] = field(default_factory=list)
    csm_cells: list[list] = field(default_factory=list)


def progress_rows(
    companies: list[CompanyToAssess],
    methodology: Methodology,
    measured: dict[int, DayValues],
    as_of: date,
    *,
    rebuild: bool,
) -> Progress:
    """Position, stuck and health of each company as of `as_of` (churned companies: as of their churn), and
    this chunk's funnel snapshot cells."""
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(CELL_COUNTS))
    csm_cells: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(CELL_COUNTS))
    progress = Progress()
    health_rule = methodology.health
    now = timezone.now()
    for company in companies:
        standing = rules.standing_on(
            methodology.sequence,
            {milestone: day.toordinal() for milestone, day in company.achieved.items()},
            company.since.toordinal(),
            company.churned_on.toordinal() if company.churned_on else None,
            as_of.toordinal(),
        )
        position = standing.position
        stuck_day = rules.stuck_since(position, methodology.stuck_rules) if standing.active else None
        stuck_since = (
            date.fromordinal(stuck_day) if stuck_day is not None and stuck_day <= as_of.toordinal() else None
        )
        assessed_through = company.last if company.start is not None else company.assessed_through
        health = health_from(measured.get(company.id), health_rule) if standing.active else None
        if health is not None:
            counts = (1, 1 if stuck_since else 0, 0, health.score, 1)
        else:
            counts = (0, 0, 1 if company.churned_on and company.churned_on <= as_of else 0, 0, 0)
        # Rows describe the latest day assessed: a backfill of an older day leaves newer rows alone. A rebuild
        # re-derived the achievements through `as_of` only, so its rows (and assessed_through) win.
        if rebuild or company.progress_as_of is None or company.progress_as_of <= as_of:
            row = ProgressRow(
                company=company.id,
                as_of=as_of,
                assessed_through=assessed_through,
                active=standing.active,
                position=position.position,
                current_milestone=position.current,
                position_since=date.fromordinal(position.since),
                days_at_position=standing.days_at_position,
                stuck_since=stuck_since,
                health=health.score if health else None,
                active_days=health.active_days if health else 0,
                key_actions_used=health.key_actions_used if health else 0,
                key_actions_total=health.key_actions_total if health else health_rule.key_actions_total,
                health_window_days=health_rule.window_days,
                updated_at=now,
            )
            (progress.active if standing.active else progress.churned).append(row)
        cohort = company.since.replace(day=1).isoformat()
        for target, key in (
            (cells, (position.position, position.current, company.segment, company.plan, cohort)),
            (csm_cells, (position.position, position.current, company.csm_id)),
        ):
            target[key] = [total + add for total, add in zip(target[key], counts, strict=True)]
    progress.cells = [[*key, *counts] for key, counts in cells.items()]
    progress.csm_cells = [[*key, *counts] for key, counts in csm_cells.items()]
    return progress
