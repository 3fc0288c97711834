"""Keeping every company's journey score equal to a replay of its events (DESIGN §3.6), in sets.

A scoring run (`journey_score`, the daily job and the follow-up of ingestion):
1. takes the events received since the previous run (an id watermark);
2. replays the companies that got an event older than one already applied (a late event), or that have no
   state yet; continues the others from their stored state, with 60 days of already-applied events as
   context for the windows;
3. applies the decay that fell due, from the stored state alone, to every other company;
4. records stage changes, and their notifications in the same transaction (an outbox).
`journey_rebuild` replays everyone from scratch after a rule change: it records the stage changes it
finds as history and notifies nobody.

Queries are per chunk of companies (sets), never per company. Python runs the rules, one company at a time
in memory: the score is a sequence of steps that SQL cannot express."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from companies.models import Company, Event
from companies.selectors import event_watermark
from core.bulk import bulk_load, bulk_upsert
from core.days import workspace_tz
from core.jobs import job_run_last, job_run_progress, job_running
from core.locks import Lease, lease_keep
from journey.models import JourneyState, StageChange, StageChangeNotice
from journey.scoring.domain import LOOKBACK, Change, Result, State, continues
from journey.scoring.engine import replay
from journey.scoring.loading import Scoring, by_company, scoring_events, scoring_load
from journey.services.notifications import stage_changes_notify

logger = logging.getLogger("waypoint.scoring")

JOB = "scoring"
LOCK = "scoring"
LEASE_TTL = timedelta(minutes=15)
CHUNK = 5_000  # companies per transaction: ~250k events in memory at most


# --- States and changes -----------------------------------------------------------------------------------


def _state_of(row: JourneyState) -> State:
    return State(
        score=row.score,
        through=row.scored_through,
        last_event_at=row.last_event_at,
        last_event_key=row.last_event_key,
        last_engagement_at=row.last_engagement_at,
        next_decay_at=row.next_decay_at,
        boosts=[(datetime.fromisoformat(until), percent) for until, percent in row.decay_boosts],
    )


_STATE_FIELDS = [
    "company", "score", "stage", "scored_through", "last_event_at", "last_event_key", "last_engagement_at",
    "next_decay_at", "decay_boosts", "updated_at",
]  # fmt: skip


def _state_row(company_id: int, state: State, scoring: Scoring, now: datetime) -> tuple:
    return (
        company_id, state.score, scoring.stage_ids.get(scoring.config.stage_of(state.score)), state.through,
        state.last_event_at, state.last_event_key, state.last_engagement_at, state.next_decay_at,
        [[until.isoformat(), percent] for until, percent in state.boosts], now,
    )  # fmt: skip


_CHANGE_FIELDS = ["company", "from_stage", "to_stage", "at", "score", "cause", "event_name", "live"]


# --- Runs ---------------------------------------------------------------------------------------------------


@dataclass
class RunSummary:
    run_id: int
    until: str
    events: int = 0
    replayed: int = 0
    continued: int = 0
    decayed: int = 0
    changes: int = 0
    notified: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def journey_score(*, until: datetime) -> RunSummary:
    """Bring every company's score up to `until` (a company with later events, up to its latest event):
    apply the events received since the previous run and the decay that fell due. Idempotent: a second run
    for the same moment changes nothing. One run at a time (raises LeaseHeld)."""
    previous = job_run_last([JOB])
    with _run(until) as (summary, lease, watermark):
        scoring = scoring_load()
        if previous is None:
            # The first run knows no state: it replays everyone, as history.
            _rebuild_all(scoring, until, watermark, summary, lease)
        else:
            # Everything after the previous run's watermark is new to the workspace: the changes it brings
            # are notified (once ever, see _write), whenever they occurred and whichever run finds them.
            since = previous.detail["event_watermark"]
            _score_new_events(scoring, until, since, watermark, summary, lease)
            _decay(scoring, until, summary)
    return summary


def journey_rebuild(*, until: datetime) -> RunSummary:
    """Replay every company from its first event (after a rule change). Stage changes found are recorded as
    history, with no notification."""
    with _run(until, rebuild=True) as (summary, lease, watermark):
        _rebuild_all(scoring_load(), until, watermark, summary, lease)
    return summary


@contextmanager
def _run(until: datetime, **detail) -> Iterator[tuple[RunSummary, Lease, int]]:
    """The lease, the JobRun row (core/jobs.py: failed with its error when the body raises) and the event
    watermark the run reads up to."""
    started = time.perf_counter()
    watermark = event_watermark()
    as_of = timezone.localdate(until - timedelta(microseconds=1), workspace_tz())
    with job_running(
        job=JOB, lock=LOCK, ttl=LEASE_TTL, as_of=as_of, detail={"event_watermark": watermark, **detail}
    ) as running:
        summary = RunSummary(running.run.pk, until.isoformat())
        try:
            yield summary, running.lease, watermark
            summary.seconds["total"] = round(time.perf_counter() - started, 3)
            logger.info("scoring run %s through %s: %s", running.run.pk, summary.until, summary.as_dict())
        finally:
            running.detail.update(summary.as_dict())


def _rebuild_all(scoring: Scoring, until: datetime, watermark: int, summary: RunSummary, lease) -> None:
    """Replay all companies, chunk by chunk, each chunk in one transaction; notify nobody."""
    ids = list(Company.objects.order_by("id").values_list("id", flat=True))
    job_run_progress(summary.run_id, done=0, total=-(-len(ids) // CHUNK))
    for done, start in enumerate(range(0, len(ids), CHUNK), start=1):
        first, last = ids[start], ids[min(start + CHUNK, len(ids)) - 1]
        lease_keep(lease, who="scoring run")
        started = time.perf_counter()
        results = {}
        for company_id, events in by_company(
            scoring_events(scoring, Q(company_id__gte=first, company_id__lte=last, id__lte=watermark))
        ):
            results[company_id] = replay(events, scoring.config, until)
            summary.events += len(events)
        _add_seconds(summary, "replay", started)
        started = time.perf_counter()
        with transaction.atomic():
            StageChange.objects.filter(company_id__gte=first, company_id__lte=last).delete()
            JourneyState.objects.filter(company_id__gte=first, company_id__lte=last).exclude(
                company_id__in=list(results)
            ).delete()
            _write(results, scoring, live=False, until=until, summary=summary)
        _add_seconds(summary, "write", started)
        summary.replayed += len(results)
        job_run_progress(summary.run_id, done=done)


def _score_new_events(
    scoring: Scoring,
    until: datetime,
    since: int,
    watermark: int,
    summary: RunSummary,
    lease,
) -> None:
    """Events with ids in (since, watermark]: continue or replay their companies, in chunks."""
    started = time.perf_counter()
    new_events = Event.objects.filter(id__gt=since, id__lte=watermark)
    if scoring.type_ids is not None:
        new_events = new_events.filter(type_id__in=scoring.type_ids)
    firsts = dict(
        new_events.values("company_id")
        .annotate(first=Min("occurred_at"))
        .order_by()
        .values_list("company_id", "first")
    )
    _add_seconds(summary, "find", started)
    company_ids = sorted(firsts)
    for start in range(0, len(company_ids), CHUNK):
        lease_keep(lease, who="scoring run")
        _score_chunk(scoring, until, watermark, company_ids[start : start + CHUNK], firsts, summary)


def _score_chunk(scoring, until, watermark, company_ids, firsts, summary: RunSummary) -> None:
    """Continue each company from its state with the lookback as context; replay it from the start when it
    has no state yet, or when one of its new events occurred before the moment its state was brought to (a
    late event, see `continues`)."""
    started = time.perf_counter()
    states = {
        row.company_id: _state_of(row) for row in JourneyState.objects.filter(company_id__in=company_ids)
    }
    replay_ids: list[int] = []
    continue_ids: list[int] = []
    for company_id in company_ids:
        ok = continues(states.get(company_id), firsts[company_id])
        (continue_ids if ok else replay_ids).append(company_id)
    results: dict[int, Result] = {}
    if continue_ids:
        oldest = min(firsts[c] for c in continue_ids) - LOOKBACK
        loaded = dict(
            by_company(
                scoring_events(
                    scoring, Q(company_id__in=continue_ids, occurred_at__gte=oldest, id__lte=watermark)
                )
            )
        )
        for company_id in continue_ids:
            state = states[company_id]
            events = loaded.get(company_id, [])
            fresh = [e for e in events if state.last_order is None or e.order > state.last_order]
            first_new = fresh[0].at if fresh else until
            applied = state.last_order
            context = [e for e in events if applied and e.order <= applied and e.at >= first_new - LOOKBACK]
            results[company_id] = replay(fresh, scoring.config, until, state=state, context=context)
            summary.events += len(fresh)
        summary.continued += len(continue_ids)
    if replay_ids:
        for company_id, events in by_company(
            scoring_events(scoring, Q(company_id__in=replay_ids, id__lte=watermark))
        ):
            results[company_id] = replay(events, scoring.config, until)
            summary.events += len(events)
        summary.replayed += len(replay_ids)
    _add_seconds(summary, "replay", started)
    started = time.perf_counter()
    with transaction.atomic():
        # A replayed company's recorded history is rewritten from its earliest new event on.
        _changes_delete_since({company_id: firsts[company_id] for company_id in replay_ids})
        for company_id in replay_ids:
            if company_id in results:
                changes = results[company_id].changes
                changes[:] = [change for change in changes if change.at >= firsts[company_id]]
        _write(results, scoring, live=True, until=until, summary=summary)
    _add_seconds(summary, "write", started)


def _decay(scoring: Scoring, until: datetime, summary: RunSummary) -> None:
    """Apply the decay steps due by `until`, from the stored states alone (no event is read). A state stays
    valid until its next decay step, so only the companies with a step due are touched."""
    started = time.perf_counter()
    results: dict[int, Result] = {}
    for row in JourneyState.objects.filter(next_decay_at__lte=until).iterator(chunk_size=5000):
        results[row.company_id] = replay([], scoring.config, until, state=_state_of(row))
    summary.decayed = len(results)
    _add_seconds(summary, "decay", started)
    started = time.perf_counter()
    with transaction.atomic():
        _write(results, scoring, live=True, until=until, summary=summary)
    _add_seconds(summary, "write", started)


def _write(
    results: dict[int, Result], scoring: Scoring, *, live: bool, until: datetime, summary: RunSummary
) -> None:
    """States, stage changes and, for a live run, their notifications, in the caller's transaction.

    A change is notified once ever: the first time any run finds it (the notice ledger), if that run is
    live (not the first run of the workspace, not a rebuild) and the change is news: at most
    WAYPOINT_NOTIFY_WITHIN_DAYS before `until`. Found again by a replay or after a rebuild, it is recorded,
    not sent again."""
    now = timezone.now()
    bulk_upsert(
        JourneyState,
        _STATE_FIELDS,
        [_state_row(company_id, result.state, scoring, now) for company_id, result in results.items()],
        conflict=["company"],
        update=_STATE_FIELDS[1:],
    )
    found = [(company_id, change) for company_id, result in results.items() for change in result.changes]
    if not found:
        return
    known = _notices_of(found)
    news_from = until - timedelta(days=settings.WAYPOINT_NOTIFY_WITHIN_DAYS)
    to_notify = [
        (company_id, change)
        for company_id, change in found
        if live and _notice_key(company_id, change) not in known and change.at >= news_from
    ]
    notified = {_notice_key(company_id, change) for company_id, change in to_notify}
    bulk_upsert(
        StageChangeNotice,
        ["company", "from_stage", "to_stage", "at", "notified"],
        [
            (*_notice_key(company_id, change), _notice_key(company_id, change) in notified)
            for company_id, change in found
            if _notice_key(company_id, change) not in known
        ],
        conflict=["company", "at", "from_stage", "to_stage"],
    )
    ids = scoring.stage_ids
    rows = []
    for company_id, change in found:
        key = _notice_key(company_id, change)
        rows.append(
            (company_id, ids.get(change.from_stage), ids.get(change.to_stage), change.at, change.score,
             change.cause, change.event_name, key in notified or known.get(key, False))
        )  # fmt: skip
    bulk_load(StageChange, _CHANGE_FIELDS, rows)
    summary.changes += len(rows)
    if to_notify:
        summary.notified += stage_changes_notify(to_notify, scoring.config)


def _notice_key(company_id: int, change: Change) -> tuple[int, str, str, datetime]:
    return (company_id, change.from_stage, change.to_stage, change.at)


def _notices_of(found: list[tuple[int, Change]]) -> dict[tuple[int, str, str, datetime], bool]:
    """The ledger's entries among these changes: key → notified. One query over the companies' notices
    from the earliest of the moments on (company_id leads the ledger's unique index)."""
    company_ids = {company_id for company_id, _ in found}
    earliest = min(change.at for _, change in found)
    wanted = {_notice_key(company_id, change) for company_id, change in found}
    rows = StageChangeNotice.objects.filter(company_id__in=company_ids, at__gte=earliest).values_list(
        "company_id", "from_stage", "to_stage", "at", "notified"
    )
    return {
        (company_id, from_stage, to_stage, at): notified
        for company_id, from_stage, to_stage, at, notified in rows
        if (company_id, from_stage, to_stage, at) in wanted
    }


def _changes_delete_since(firsts: dict[int, datetime]) -> None:
    """Delete each company's recorded stage changes from its moment on, in one statement."""
    if not firsts:
        return
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        values = ", ".join(["(%s::bigint, %s::timestamptz)"] * len(firsts))
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {quote(StageChange._meta.db_table)} s USING (VALUES {values}) v(company_id, since) "  # noqa: S608
                "WHERE s.company_id = v.company_id AND s.at >= v.since",
                [value for pair in firsts.items() for value in pair],
            )
        return
    condition = Q(pk__in=[])
    for company_id, since in firsts.items():
        condition |= Q(company_id=company_id, at__gte=since)
    StageChange.objects.filter(condition).delete()


def _add_seconds(summary: RunSummary, phase: str, started: float) -> None:
    summary.seconds[phase] = round(summary.seconds.get(phase, 0.0) + time.perf_counter() - started, 3)
