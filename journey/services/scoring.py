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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from companies.models import Company, Event
from companies.selectors import event_watermark
from core.bulk import bulk_load, bulk_upsert
from core.days import workspace_tz
from core.jobs import job_run_last, job_running
from core.locks import Lease, lease_keep
from journey.models import JourneyState, StageChange
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


def _change_rows(company_id: int, changes: Iterable[Change], scoring: Scoring, live: bool) -> list[tuple]:
    ids = scoring.stage_ids
    return [
        (company_id, ids.get(c.from_stage), ids.get(c.to_stage), c.at, c.score, c.cause, c.event_name, live)
        for c in changes
    ]


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
            # Changes dated before the previous run's end are history learned late: recorded, not notified.
            live_from = datetime.fromisoformat(previous.detail["until"])
            since = previous.detail["event_watermark"]
            _score_new_events(scoring, until, since, watermark, live_from, summary, lease)
            _decay(scoring, until, live_from, summary)
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
    for start in range(0, len(ids), CHUNK):
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
            _write(results, scoring, live_from=None, summary=summary)
        _add_seconds(summary, "write", started)
        summary.replayed += len(results)


def _score_new_events(
    scoring: Scoring,
    until: datetime,
    since: int,
    watermark: int,
    live_from: datetime,
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
        _score_chunk(
            scoring, until, watermark, company_ids[start : start + CHUNK], firsts, live_from, summary
        )


def _score_chunk(scoring, until, watermark, company_ids, firsts, live_from, summary: RunSummary) -> None:
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
        for company_id in replay_ids:
            StageChange.objects.filter(company_id=company_id, at__gte=firsts[company_id]).delete()
            if company_id in results:
                changes = results[company_id].changes
                changes[:] = [change for change in changes if change.at >= firsts[company_id]]
        _write(results, scoring, live_from=live_from, summary=summary)
    _add_seconds(summary, "write", started)


def _decay(scoring: Scoring, until: datetime, live_from: datetime, summary: RunSummary) -> None:
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
        _write(results, scoring, live_from=live_from, summary=summary)
    _add_seconds(summary, "write", started)


def _write(
    results: dict[int, Result], scoring: Scoring, *, live_from: datetime | None, summary: RunSummary
) -> None:
    """States, stage changes and their notifications (changes at or after `live_from`; none when it is
    None), in the caller's transaction."""
    now = timezone.now()
    bulk_upsert(
        JourneyState,
        _STATE_FIELDS,
        [_state_row(company_id, result.state, scoring, now) for company_id, result in results.items()],
        conflict=["company"],
        update=_STATE_FIELDS[1:],
    )
    rows, to_notify = [], []
    for company_id, result in results.items():
        for change in result.changes:
            live = live_from is not None and change.at >= live_from
            rows.extend(_change_rows(company_id, [change], scoring, live))
            if live:
                to_notify.append((company_id, change))
    bulk_load(StageChange, _CHANGE_FIELDS, rows)
    summary.changes += len(rows)
    if to_notify:
        summary.notified += stage_changes_notify(to_notify, scoring.config)


def _add_seconds(summary: RunSummary, phase: str, started: float) -> None:
    summary.seconds[phase] = round(summary.seconds.get(phase, 0.0) + time.perf_counter() - started, 3)
