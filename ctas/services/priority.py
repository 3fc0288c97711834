"""The visible priority (ctas/rules.py) in one UPDATE over a set of CTAs: each not-closed CTA gets its
company's days at the milestone, MRR rank and health, and the points of each part as of a day."""

from __future__ import annotations

from datetime import date

from django.db import connection

from companies.models import Company
from ctas import rules
from ctas.models import CTA
from ctas.services.sql import days_between, table
from milestones.models import CompanyProgress


def _capped(expression: str, low: int, high: int) -> str:
    return f"(CASE WHEN {expression} < {low} THEN {low} WHEN {expression} > {high} THEN {high} ELSE {expression} END)"


def priorities_refresh(*, day: date, cta_ids: list[int] | None = None) -> int:
    """Recompute the priority of the not-closed CTAs (all, or these ids) as of `day`; rows whose values do
    not change are not written. Returns the number of CTAs updated."""
    cta, company, progress = table(CTA), table(Company), table(CompanyProgress)
    days = _capped("COALESCE(p.days_at_position, 0)", 0, rules.DAYS_FULL)
    due_left = _capped(days_between(f"{cta}.due_on", "%(day)s"), 0, rules.DUE_HORIZON)
    # Integer parts rounded half up: (2 × w × x + d) / (2 × d), as rules._half_up.
    part_days = f"((2 * {rules.DAYS_WEIGHT} * {days} + {rules.DAYS_FULL}) / (2 * {rules.DAYS_FULL}))"
    part_mrr = f"((2 * {rules.MRR_WEIGHT} * s.mrr_rank + 100) / 200)"
    part_health = f"(CASE WHEN s.health IS NULL THEN 0 ELSE (2 * {rules.HEALTH_WEIGHT} * (100 - s.health) + 100) / 200 END)"
    part_due = (
        f"((2 * {rules.DUE_WEIGHT} * ({rules.DUE_HORIZON} - {due_left}) + {rules.DUE_HORIZON}) "
        f"/ (2 * {rules.DUE_HORIZON}))"
    )
    only = "AND c.id IN (SELECT value FROM json_each(%(ids)s))" if cta_ids is not None else ""
    if cta_ids is not None and connection.vendor == "postgresql":
        only = "AND c.id = ANY(%(ids)s)"
    # MRR rank: the share of the other customers with a lower MRR, in whole percent (rounded down).
    sql = f"""
        UPDATE {cta} SET
            days_at_position = s.days_at_position,
            health = s.health,
            mrr_rank = s.mrr_rank,
            score_days = s.part_days,
            score_mrr = s.part_mrr,
            score_health = s.part_health,
            score_due = {part_due},
            priority_score = s.part_days + s.part_mrr + s.part_health + {part_due}
        FROM (
            SELECT c.id, p.days_at_position, p.health, COALESCE(r.mrr_rank, 0) AS mrr_rank,
                   {part_days} AS part_days,
                   {part_mrr.replace("s.mrr_rank", "COALESCE(r.mrr_rank, 0)")} AS part_mrr,
                   {part_health.replace("s.health", "p.health")} AS part_health
            FROM {cta} c
            LEFT JOIN {progress} p ON p.company_id = c.company_id
            LEFT JOIN (
                SELECT id, CASE WHEN COUNT(*) OVER () > 1
                    THEN (100 * (RANK() OVER (ORDER BY mrr) - 1)) / (COUNT(*) OVER () - 1) ELSE 0 END AS mrr_rank
                FROM {company} WHERE lifecycle = 'customer'
            ) r ON r.id = c.company_id
            WHERE c.status <> 'closed' {only}
        ) s
        WHERE {cta}.id = s.id AND (
            {cta}.days_at_position IS DISTINCT FROM s.days_at_position
            OR {cta}.health IS DISTINCT FROM s.health
            OR {cta}.mrr_rank <> s.mrr_rank
            OR {cta}.score_days <> s.part_days
            OR {cta}.score_mrr <> s.part_mrr
            OR {cta}.score_health <> s.part_health
            OR {cta}.score_due <> {part_due}
        )
    """
    params: dict = {"day": day}
    if cta_ids is not None:
        params["ids"] = cta_ids if connection.vendor == "postgresql" else _json(cta_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _json(ids: list[int]) -> str:
    return "[" + ",".join(str(int(i)) for i in ids) + "]"
