"""The visible priority (ctas/rules.py) in SQL: the expressions of its parts, used where the daily run
inserts new CTAs and in one UPDATE that refreshes the CTAs that are not closed (each gets its company's days
at the milestone, MRR rank and health, and the points of each part as of a day)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection

from companies.models import Company
from ctas import rules
from ctas.models import CTA
from ctas.services.sql import days_between, table
from milestones.models import CompanyProgress


def _capped(expression: str, low: int, high: int) -> str:
    return (
        f"(CASE WHEN {expression} < {low} THEN {low} WHEN {expression} > {high} THEN {high} "
        f"ELSE {expression} END)"
    )


def _half_up(weight: int, value: str, denominator: int) -> str:
    """weight × value / denominator rounded half up, in integers, as rules._half_up."""
    return f"((2 * {weight} * {value} + {denominator}) / (2 * {denominator}))"


@dataclass(frozen=True)
class PartsSql:
    days: str
    mrr: str
    health: str
    due: str

    @property
    def total(self) -> str:
        return f"({self.days} + {self.mrr} + {self.health} + {self.due})"


def parts_sql(*, days_at_position: str, mrr_rank: str, health: str, days_to_due: str) -> PartsSql:
    """The four parts of rules.priority_of as SQL over these column expressions."""
    days = _capped(f"COALESCE({days_at_position}, 0)", 0, rules.DAYS_FULL)
    due_left = _capped(days_to_due, 0, rules.DUE_HORIZON)
    return PartsSql(
        days=_half_up(rules.DAYS_WEIGHT, days, rules.DAYS_FULL),
        mrr=_half_up(rules.MRR_WEIGHT, _capped(f"COALESCE({mrr_rank}, 0)", 0, 100), 100),
        health=f"(CASE WHEN {health} IS NULL THEN 0 ELSE {_half_up(rules.HEALTH_WEIGHT, f'(100 - {health})', 100)} END)",
        due=_half_up(rules.DUE_WEIGHT, f"({rules.DUE_HORIZON} - {due_left})", rules.DUE_HORIZON),
    )


def mrr_ranks_sql() -> str:
    """(id, mrr_rank) of every customer: the share of the other customers with a lower MRR, in whole percent
    (rounded down)."""
    return f"""(SELECT id, CASE WHEN COUNT(*) OVER () > 1
                    THEN (100 * (RANK() OVER (ORDER BY mrr) - 1)) / (COUNT(*) OVER () - 1) ELSE 0 END AS mrr_rank
                FROM {table(Company)} WHERE lifecycle = 'customer')"""


def priorities_refresh(*, day: date, cta_ids: list[int] | None = None, ranks: str = "") -> int:
    """Recompute the priority of the not-closed CTAs (all, or these ids) as of `day`; rows whose values do
    not change are not written. `ranks`: a table already holding mrr_ranks_sql()'s rows (the daily run
    computes them once). Returns the number of CTAs updated."""
    cta, progress = table(CTA), table(CompanyProgress)
    parts = parts_sql(
        days_at_position="p.days_at_position",
        mrr_rank="r.mrr_rank",
        health="p.health",
        days_to_due=days_between("c.due_on", "%(day)s"),
    )
    only = ""
    params: dict = {"day": day}
    if cta_ids is not None:
        only = (
            "AND c.id = ANY(%(ids)s)"
            if connection.vendor == "postgresql"
            else "AND c.id IN (SELECT value FROM json_each(%(ids)s))"
        )
        params["ids"] = (
            cta_ids
            if connection.vendor == "postgresql"
            else "[" + ",".join(str(int(i)) for i in cta_ids) + "]"
        )
    sql = f"""
        UPDATE {cta} SET
            days_at_position = s.days_at_position, health = s.health, mrr_rank = s.mrr_rank,
            score_days = s.part_days, score_mrr = s.part_mrr, score_health = s.part_health,
            score_due = s.part_due, priority_score = s.part_days + s.part_mrr + s.part_health + s.part_due
        FROM (
            SELECT c.id, p.days_at_position, p.health, COALESCE(r.mrr_rank, 0) AS mrr_rank,
                   {parts.days} AS part_days, {parts.mrr} AS part_mrr, {parts.health} AS part_health,
                   {parts.due} AS part_due
            FROM {cta} c
            LEFT JOIN {progress} p ON p.company_id = c.company_id
            LEFT JOIN {ranks or mrr_ranks_sql()} r ON r.id = c.company_id
            WHERE c.status <> 'closed' {only}
        ) s
        WHERE {cta}.id = s.id AND (
            {cta}.days_at_position IS DISTINCT FROM s.days_at_position
            OR {cta}.health IS DISTINCT FROM s.health
            OR {cta}.mrr_rank <> s.mrr_rank
            OR {cta}.score_days <> s.part_days
            OR {cta}.score_mrr <> s.part_mrr
            OR {cta}.score_health <> s.part_health
            OR {cta}.score_due <> s.part_due
        )
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
