"""The daily CTA run (DESIGN §4.4): from the assessment's progress rows of a day, in a fixed number of
set-based statements per rule, whatever the number of companies.

    1. snoozed CTAs whose snooze ended wake up (open again);
    2. CTAs of companies that churned close ("churned"), then those whose company moved past the CTA's
       milestone ("milestone achieved");
    3. per active rule, highest priority first: an open CTA the rule fires for again gets the earlier due
       date; companies that match the rule and have no CTA of its type that is not closed (nor one closed
       within the rule's cooldown, nor, for recurring rules, one opened within the interval) get a new CTA,
       owned by their CSM, by the CSM covering for them that day, or by nobody (the pool);
    4. the new CTAs' tasks from the rule's playbook, a notification to each owner (one per owner and run),
       their history;
    5. the visible priority of every CTA that is not closed (new CTAs get theirs as they are inserted).

One transaction under the daily job's lease: a run killed halfway leaves nothing, two runs cannot overlap
(and the partial unique index would refuse a second open CTA anyway), and a second run for the same day
changes nothing. Every change is recorded in CTAChange, by nobody (the system)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts.models import Cover, Notification, User
from companies.models import Company
from core.jobs import job_running
from core.models import JobRun
from ctas.models import CTA, CTAChange, CTATask
from ctas.services.priority import mrr_ranks_sql, parts_sql, priorities_refresh
from ctas.services.sql import day_plus, moment, table
from milestones.models import CompanyProgress, CTARule, CTAType, Milestone
from milestones.services.runs import JOBS as ASSESSMENT_JOBS
from milestones.services.runs import LOCK
from playbooks.models import PlaybookTask

logger = logging.getLogger("waypoint.daily")

JOB = "ctas"
CANDIDATES = "ctas_new_candidates"  # temporary tables: the companies a rule opens CTAs for,
RANKS = "ctas_mrr_ranks"  # and every customer's MRR rank, computed once per run
LEASE_TTL = timedelta(minutes=30)


class NotAssessed(Exception):
    """The day asked for is not the day the progress rows describe."""


@dataclass
class GenerateResult:
    as_of: str
    woken: int = 0
    closed_churned: int = 0
    closed_milestone_achieved: int = 0
    due_moved: int = 0
    created: dict[str, int] = field(default_factory=dict)  # by rule name
    tasks: int = 0
    notifications: int = 0
    priorities: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def assessed_day() -> date | None:
    """The day the progress rows describe: the latest day a successful assessment run assessed, unless a
    later day's rows exist (a backfill of an older day leaves newer rows alone)."""
    run = (
        JobRun.objects.filter(job__in=ASSESSMENT_JOBS, status=JobRun.Status.SUCCEEDED)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    )
    newest_rows = CompanyProgress.objects.aggregate(day=Max("as_of"))["day"]
    return max(day for day in (run, newest_rows) if day is not None) if run or newest_rows else None


def ctas_generate(*, as_of: date) -> GenerateResult:
    """Generate the CTAs of day `as_of` (see the module's docstring). Raises LeaseHeld while another run of
    the daily jobs works, NotAssessed for a day the assessment has not assessed (or not last)."""
    started = time.perf_counter()
    with job_running(job=JOB, lock=LOCK, ttl=LEASE_TTL, as_of=as_of) as running:
        day = assessed_day()
        if day != as_of:
            raise NotAssessed(
                f"The assessment has not assessed {as_of:%Y-%m-%d}: run assess_milestones --as-of "
                f"{as_of:%Y-%m-%d} first."
                if day is None or day < as_of
                else f"The progress rows describe {day:%Y-%m-%d}, after {as_of:%Y-%m-%d}: CTAs are generated "
                f"for the day the assessment assessed last ({day:%Y-%m-%d})."
            )
        with transaction.atomic():
            result = _generate(as_of)
        result.seconds = round(time.perf_counter() - started, 3)
        running.detail = result.as_dict()
    logger.info("CTAs for %s: %s", as_of, result.as_dict())
    return result


def _generate(day: date) -> GenerateResult:
    result = GenerateResult(as_of=day.isoformat())
    now = moment(timezone.now())
    cta, change, company = table(CTA), table(CTAChange), table(Company)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As the assessment's chunks: JIT compiling these few large statements costs more than it saves.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
            # The assessment has just rewritten every progress row: plan on today's statistics, not on
            # whatever autovacuum last saw (a nested loop planned for "no rows" would cost minutes).
            cursor.execute(f"ANALYZE {table(CompanyProgress)}, {cta}")

        def run(sql: str, params: dict) -> int:
            cursor.execute(sql, params)
            return cursor.rowcount

        run(f"DROP TABLE IF EXISTS {RANKS}", {})
        run(f"CREATE TEMPORARY TABLE {RANKS} AS SELECT * FROM {mrr_ranks_sql()} ranks", {})

        # 1. Snoozes that ended.
        woken = f"{cta}.status = 'snoozed' AND {cta}.snoozed_until <= %(day)s"
        _log_changes(run, "status", "'snoozed'", "'open'", woken, day, now)
        result.woken = run(
            f"UPDATE {cta} SET status = 'open', snoozed_until = NULL WHERE {woken}", {"day": day}
        )

        # 2. Churn, then milestones achieved.
        churned = (
            f"{cta}.status <> 'closed' AND EXISTS (SELECT 1 FROM {company} co WHERE co.id = {cta}.company_id "
            f"AND co.lifecycle = 'churned' AND co.churned_on <= %(day)s)"
        )
        result.closed_churned = _close(run, churned, CTA.Outcome.CHURNED, day, now)
        positions = _milestone_positions()
        if positions:
            index = " ".join(f"WHEN {milestone_id} THEN {i}" for milestone_id, i in positions.items())
            passed = (
                f"{cta}.status <> 'closed' AND EXISTS (SELECT 1 FROM {table(CompanyProgress)} p "
                f"WHERE p.company_id = {cta}.company_id AND p.as_of = %(day)s "
                f"AND p.position > CASE {cta}.milestone_id {index} ELSE 100000 END)"
            )
            result.closed_milestone_achieved = _close(run, passed, CTA.Outcome.MILESTONE_ACHIEVED, day, now)

        # 3. The rules.
        for rule in (
            CTARule.objects.filter(is_active=True).select_related("cta_type").order_by("priority", "id")
        ):
            result.due_moved += _due_moved(run, rule, day, now)
            created = _create(run, rule, day)
            if created:
                result.created[rule.name] = created

        # 4. What each new CTA gets: its tasks, a notification, its first history line. A new CTA is one
        # opened today with no history yet (so a rerun adds nothing twice).
        new = (
            f"c.created_on = %(day)s AND c.rule_id IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {change} h WHERE h.cta_id = c.id)"
        )
        result.tasks = run(
            f"""INSERT INTO {table(CTATask)} (cta_id, "order", title, due_on, done_by_id, done_at)
                SELECT c.id, t."order", t.title, {day_plus("c.created_on", "t.due_offset_days")}, NULL, NULL
                FROM {cta} c JOIN {table(PlaybookTask)} t ON t.rule_id = c.rule_id WHERE {new}""",
            {"day": day},
        )
        # One notification per owner: the CTA itself when there is one, a count and the queue otherwise (a
        # first run, or a rule made broader, opens hundreds at once).
        link = reverse("web:cta_detail", args=[0]).rsplit("0", 1)
        result.notifications = run(
            f"""INSERT INTO {table(Notification)} (user_id, title, body, link, created_at, read_at)
                SELECT c.owner_id,
                       CASE WHEN COUNT(*) = 1 THEN SUBSTR(MIN(ty.name || ' for ' || co.name), 1, 200)
                            ELSE CAST(COUNT(*) AS varchar(20)) || ' new CTAs in your queue' END,
                       CASE WHEN COUNT(*) = 1 THEN MIN(c.reason) ELSE '' END,
                       CASE WHEN COUNT(*) = 1 THEN %(link_start)s || CAST(MIN(c.id) AS varchar(20)) || %(link_end)s
                            ELSE %(queue)s END,
                       %(now)s, NULL
                FROM {cta} c JOIN {company} co ON co.id = c.company_id
                JOIN {table(CTAType)} ty ON ty.id = c.cta_type_id
                WHERE c.owner_id IS NOT NULL AND {new}
                GROUP BY c.owner_id""",
            {
                "day": day,
                "now": now,
                "link_start": link[0],
                "link_end": link[1],
                "queue": reverse("web:queue"),
            },
        )
        run(
            f"""INSERT INTO {change} (cta_id, at, by_id, field, from_value, to_value)
                SELECT c.id, %(now)s, NULL, 'status', '', 'open' FROM {cta} c WHERE {new}""",
            {"day": day, "now": now},
        )
    # 5. Priorities, from today's progress rows.
    result.priorities = priorities_refresh(day=day, ranks=RANKS)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {RANKS}")
    return result


def _milestone_positions() -> dict[int, int]:
    """Milestone id → its index in the sequence (a company at position > index has moved past it)."""
    return {milestone.pk: index for index, milestone in enumerate(Milestone.objects.in_sequence())}


def _log_changes(run, field_name: str, from_sql: str, to_sql: str, where: str, day: date, now) -> int:
    cta, change = table(CTA), table(CTAChange)
    return run(
        f"""INSERT INTO {change} (cta_id, at, by_id, field, from_value, to_value)
            SELECT {cta}.id, %(now)s, NULL, '{field_name}', {from_sql}, {to_sql} FROM {cta} WHERE {where}""",
        {"day": day, "now": now},
    )


def _close(run, where: str, outcome: str, day: date, now) -> int:
    cta = table(CTA)
    _log_changes(run, "status", f"{cta}.status", "'closed'", where, day, now)
    _log_changes(run, "outcome", "''", f"'{outcome}'", where, day, now)
    return run(
        f"""UPDATE {cta} SET status = 'closed', outcome = '{outcome}', closed_on = %(day)s,
            snoozed_until = NULL WHERE {where}""",
        {"day": day},
    )


def _matching(rule: CTARule) -> tuple[str, dict]:
    """The companies a rule fires for today (alias p: their progress row, co: the company)."""
    conditions = [
        "p.as_of = %(day)s",
        "p.active",
        "co.lifecycle = 'customer'",
        "p.current_milestone_id IS NOT NULL",
    ]
    params: dict = {}
    if rule.milestone_id is not None:
        conditions.append("p.current_milestone_id = %(milestone)s")
        params["milestone"] = rule.milestone_id
    if rule.trigger == CTARule.Trigger.STUCK:
        conditions.append("p.days_at_position > %(min_days)s")  # stuck from min_days + 1 (rules.stuck_since)
        params["min_days"] = rule.min_days_at_position
    return " AND ".join(conditions), params


def _due_moved(run, rule: CTARule, day: date, now) -> int:
    """An open CTA (not snoozed) the rule fires for again: due no later than the rule's due date."""
    cta, progress, company = table(CTA), table(CompanyProgress), table(Company)
    matching, params = _matching(rule)
    due = day + timedelta(days=rule.due_in_days)
    where = (
        f"{cta}.status IN ('open', 'in_progress') AND {cta}.cta_type_id = %(type)s AND {cta}.due_on > %(due)s "
        f"AND EXISTS (SELECT 1 FROM {progress} p JOIN {company} co ON co.id = p.company_id "
        f"WHERE p.company_id = {cta}.company_id AND {matching})"
    )
    params = {**params, "day": day, "now": now, "type": rule.cta_type_id, "due": due}
    run(
        f"""INSERT INTO {table(CTAChange)} (cta_id, at, by_id, field, from_value, to_value)
            SELECT {cta}.id, %(now)s, NULL, 'due_on', CAST({cta}.due_on AS varchar(10)), %(due_text)s
            FROM {cta} WHERE {where}""",
        {**params, "due_text": due.isoformat()},
    )
    return run(f"UPDATE {cta} SET due_on = %(due)s WHERE {where}", params)


def _create(run, rule: CTARule, day: date) -> int:
    cta, progress, company, user, cover = (
        table(CTA),
        table(CompanyProgress),
        table(Company),
        table(User),
        table(Cover),
    )
    matching, params = _matching(rule)
    # The new CTAs' priority as the refresh computes it (the refresh then finds nothing to change).
    parts = parts_sql(
        days_at_position="p.days_at_position",
        mrr_rank="r.mrr_rank",
        health="p.health",
        days_to_due=str(rule.due_in_days),
    )
    # No CTA of the type that is not closed, none closed within the cooldown (a CTA closed on day C blocks
    # new ones through C + cooldown), and for recurring rules none opened within the interval.
    recent = ["x.status <> 'closed'", "x.closed_on >= %(cooldown_from)s"]
    if rule.trigger == CTARule.Trigger.RECURRING:
        recent.append("x.created_on > %(interval_from)s")
        params["interval_from"] = day - timedelta(days=rule.every_days or 0)
    # The companies are chosen first, into a temporary table, and inserted after: an anti-join on the table
    # being inserted into would scan the rows the same statement adds, again for every row.
    run(f"DROP TABLE IF EXISTS {CANDIDATES}", {})
    run(
        f"""CREATE TEMPORARY TABLE {CANDIDATES} AS
            SELECT p.company_id, p.current_milestone_id, p.days_at_position, p.health,
                   COALESCE(r.mrr_rank, 0) AS mrr_rank, {parts.days} AS part_days, {parts.mrr} AS part_mrr,
                   {parts.health} AS part_health, {parts.due} AS part_due,
                   COALESCE(
                       (SELECT cv.covered_by_id FROM {cover} cv JOIN {user} cu ON cu.id = cv.covered_by_id
                        WHERE cv.csm_id = co.csm_id AND cv.starts_on <= %(day)s AND cv.ends_on >= %(day)s
                        AND cu.is_active ORDER BY cv.starts_on DESC LIMIT 1),
                       (SELECT u.id FROM {user} u WHERE u.id = co.csm_id AND u.is_active)
                   ) AS owner_id
            FROM {progress} p JOIN {company} co ON co.id = p.company_id
            LEFT JOIN {RANKS} r ON r.id = p.company_id
            WHERE {matching}
              AND NOT EXISTS (SELECT 1 FROM {cta} x WHERE x.company_id = p.company_id
                              AND x.cta_type_id = %(type)s AND ({" OR ".join(recent)}))""",
        {
            **params,
            "day": day,
            "type": rule.cta_type_id,
            "cooldown_from": day - timedelta(days=rule.cooldown_days),
        },
    )
    created = run(
        f"""INSERT INTO {cta} (company_id, rule_id, cta_type_id, milestone_id, status, outcome, owner_id, due_on,
                               snoozed_until, reason, note, created_on, closed_on, priority_score, score_days,
                               score_mrr, score_health, score_due, days_at_position, mrr_rank, health)
            SELECT n.company_id, %(rule)s, %(type)s, n.current_milestone_id, 'open', '', n.owner_id, %(due)s,
                   NULL, %(reason)s, '', %(day)s, NULL,
                   n.part_days + n.part_mrr + n.part_health + n.part_due, n.part_days, n.part_mrr, n.part_health,
                   n.part_due, n.days_at_position, n.mrr_rank, n.health
            FROM {CANDIDATES} n WHERE n.company_id IS NOT NULL
            ON CONFLICT DO NOTHING""",
        {
            "day": day,
            "rule": rule.pk,
            "type": rule.cta_type_id,
            "due": day + timedelta(days=rule.due_in_days),
            "reason": rule.name[:300],
        },
    )
    run(f"DROP TABLE {CANDIDATES}", {})
    return created
