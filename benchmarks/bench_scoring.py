"""Buyer-journey scoring at scale, on PostgreSQL, against one pass over the events table.

    python benchmarks/bench_scoring.py [--database-url URL] [--companies 100000] [--events 10000000]

Works in a database of its own: a copy of the assessment benchmark's workspace when that exists (a file
copy), generated with `seed_demo` otherwise. Once, it adds echoes of the seeded buyer-journey events, 37 days
earlier each time (source `bench-echo`), until the events scoring reads reach --events. Then it prints:
  (a) one `GROUP BY company, event name` pass over the whole events table (median of --repeat);
  (r) `score_journeys --rebuild`: every company replayed from its first event through the end of the day
      before the last day of events, with that last day's events held back: time and events/second;
  (i) the next run, as the daily job or ingestion runs it: the last day's events, put back as new rows,
      scored incrementally (median of --repeat, each from the same stored state);
  (d) the run of the day after: no new event, only the decay that fell due, from the stored states
      (median of --repeat, each from the same stored state);
and the ratios d/a (target ≤ 0.5) and r/i (target ≥ 10). The stage changes and notifications the timed runs
write are removed after each, so every repeat does the same work. The outbox relay those runs kick is sent
to a Redis queue that nothing consumes (as in production, delivery is a worker's job, not the run's)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (
    group_by_pass,
    machine_line,
    median,
    prepare_database,
    setup_django,
    vacuum,
    verdict,
)

ECHO_DAYS = 37
ECHO_SOURCE = "bench-echo"
EVENT_COLUMNS = (
    "company_id, type_id, occurred_at, received_at, source, message_id, contact_id, session_id, properties"
)
# Rows the timed runs add, removed after each so that every repeat starts from the same place.
WRITTEN = ("journey_stagechange", "accounts_notification", "core_outboxmessage", "core_jobrun")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/waypoint_bench_scoring")
    parser.add_argument("--template", default="waypoint_bench", help="database to copy the workspace from")
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10_000_000, help="events scoring reads, at least")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/13", help="where the outbox kicks go")
    parser.add_argument("--fresh", action="store_true", help="copy or regenerate the workspace")
    options = parser.parse_args()

    os.environ["CELERY_BROKER_URL"] = options.broker
    prepare_database(
        options.database_url, companies=options.companies, fresh=options.fresh, template=options.template
    )
    setup_django(options.database_url)
    from core.days import day_end, day_start
    from journey.scoring.loading import scoring_load
    from journey.services.scoring import journey_rebuild, journey_score

    print(machine_line())
    scoring = scoring_load()
    # The event types rules and triggers look at (None: a trigger on any event, so all of them).
    type_ids = list(scoring.type_names if scoring.type_ids is None else scoring.type_ids)
    _echo(type_ids, options.events)
    last_day = _last_day(type_ids)
    total, scored = _counts(type_ids)
    print(
        f"workspace: {options.companies:,} companies, {total:,} events of which {scored:,} are read by scoring "
        f"(buyer-journey vocabulary), last day of events {last_day}"
    )

    vacuum("companies_event")
    a = median(options.repeat, group_by_pass)
    print(f"(a) GROUP BY company, event name pass:   {a:8.2f} s  (median of {options.repeat})")

    held = _hold_back(type_ids, day_start(last_day))
    _clear_scoring()
    vacuum("companies_event", "journey_journeystate")
    started = time.perf_counter()
    rebuild = journey_rebuild(until=day_end(last_day - timedelta(days=1)))
    r = time.perf_counter() - started
    print(
        f"(r) rebuild through {last_day - timedelta(days=1)}:       {r:8.2f} s  "
        f"({rebuild.events:,} events for {rebuild.replayed:,} companies, {rebuild.events / r:,.0f} events/s; "
        f"phases {rebuild.seconds})"
    )

    _put_back(held)
    vacuum("companies_event", "journey_journeystate", "journey_stagechange")
    i, incremental = _scoring_runs(day_end(last_day), repeat=options.repeat, snapshot="bench_state_rebuilt")
    print(
        f"(i) incremental run for {last_day}:      {i:8.2f} s  (median of {options.repeat}; {incremental['events']:,} "
        f"new events, {incremental['continued']:,} companies continued, {incremental['replayed']:,} replayed, "
        f"{incremental['decayed']:,} decayed, {incremental['changes']:,} stage changes, "
        f"{incremental['notified']:,} notifications; phases {incremental['seconds']})"
    )

    journey_score(until=day_end(last_day))  # kept: the state the day after starts from
    vacuum("journey_journeystate")
    d, decay = _scoring_runs(
        day_end(last_day + timedelta(days=1)), repeat=options.repeat, snapshot="bench_state_scored"
    )
    print(
        f"(d) decay-only run for {last_day + timedelta(days=1)}:     {d:8.2f} s  (median of {options.repeat}; "
        f"{decay['events']:,} new events, {decay['decayed']:,} companies decayed, {decay['changes']:,} stage "
        f"changes; phases {decay['seconds']})"
    )
    print()
    print(verdict("d/a (decay pass / GROUP BY pass)", d / a, 0.5))
    print(verdict("r/i (rebuild / incremental day)", r / i, 10, at_least=True))


def _scoring_runs(until, *, repeat: int, snapshot: str) -> tuple[float, dict]:
    """The median time of `repeat` scoring runs through `until`, each from the stored states as they are
    now (put back after it), and the summary of the last one."""
    from journey.services.scoring import journey_score

    marks = _mark(snapshot)
    summary: dict = {}

    def run() -> float:
        started = time.perf_counter()
        result = journey_score(until=until)
        seconds = time.perf_counter() - started
        summary.update(result.as_dict())
        _restore(snapshot, marks)
        return seconds

    return median(repeat, run), summary


def _sql(statement: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def _counts(type_ids: list[int]) -> tuple[int, int]:
    [(total, scored)] = _sql(
        "SELECT count(*), count(*) FILTER (WHERE type_id = ANY(%s)) FROM companies_event", [type_ids]
    )
    return total, scored


def _echo(type_ids: list[int], target: int) -> None:
    """Add copies of the seeded buyer-journey events, each round 37 days earlier than the last, until
    scoring reads `target` events (once: later runs find them there)."""
    _, scored = _counts(type_ids)
    round_ = 1
    while scored < target:
        round_ += 1
        started = time.perf_counter()
        added = _sql(
            f"INSERT INTO companies_event ({EVENT_COLUMNS}) "
            f"SELECT company_id, type_id, occurred_at - %(shift)s, received_at - %(shift)s, %(source)s, "
            f"message_id || %(suffix)s, contact_id, "
            f"CASE WHEN session_id = '' THEN '' ELSE session_id || %(suffix)s END, properties "
            f"FROM companies_event WHERE type_id = ANY(%(types)s) AND source <> %(source)s "
            f"ORDER BY id LIMIT %(limit)s ON CONFLICT (source, message_id) DO NOTHING",
            {
                "shift": timedelta(days=ECHO_DAYS * (round_ - 1)),
                "source": ECHO_SOURCE,
                "suffix": f"~{round_}",
                "types": type_ids,
                "limit": target - scored,
            },
        )
        if not added:
            break  # this round was already added by an earlier run that stopped short
        scored += added
        print(f"added {added:,} echoed events ({time.perf_counter() - started:.0f} s)", flush=True)


def _last_day(type_ids: list[int]):
    from django.utils import timezone

    from core.days import workspace_tz

    [(latest,)] = _sql("SELECT max(occurred_at) FROM companies_event WHERE type_id = ANY(%s)", [type_ids])
    return timezone.localdate(latest, workspace_tz())


def _hold_back(type_ids: list[int], start) -> int:
    """Take the last day's scoring events out of the table (into bench_held): the rebuild must not see them."""
    _sql("DROP TABLE IF EXISTS bench_held")
    _sql(
        f"CREATE TABLE bench_held AS SELECT {EVENT_COLUMNS} FROM companies_event "
        f"WHERE occurred_at >= %s AND type_id = ANY(%s)",
        [start, type_ids],
    )
    return _sql(
        "DELETE FROM companies_event WHERE occurred_at >= %s AND type_id = ANY(%s)", [start, type_ids]
    )


def _put_back(held: int) -> None:
    """The held-back events arrive: new rows, with ids above the rebuild's watermark."""
    added = _sql(f"INSERT INTO companies_event ({EVENT_COLUMNS}) SELECT {EVENT_COLUMNS} FROM bench_held")
    assert added == held, (added, held)
    _sql("DROP TABLE bench_held")


def _clear_scoring() -> None:
    """No earlier benchmark run's scores: the rebuild is the first scoring run, as after an install."""
    _sql("TRUNCATE journey_stagechange, journey_journeystate")
    _sql("DELETE FROM accounts_notification")
    _sql("DELETE FROM core_outboxmessage")
    _sql("DELETE FROM core_jobrun WHERE job = 'scoring'")


def _mark(snapshot: str) -> dict[str, int]:
    """Copy the stored states aside and note the highest ids of what the timed runs write."""
    _sql(f"DROP TABLE IF EXISTS {snapshot}")
    _sql(f"CREATE TABLE {snapshot} AS SELECT * FROM journey_journeystate")
    return {table: _sql(f"SELECT coalesce(max(id), 0) FROM {table}")[0][0] for table in WRITTEN}


def _restore(snapshot: str, marks: dict[str, int]) -> None:
    import redis

    for table, top in marks.items():
        _sql(f"DELETE FROM {table} WHERE id > %s", [top])
    _sql("DELETE FROM journey_journeystate")
    _sql(f"INSERT INTO journey_journeystate SELECT * FROM {snapshot}")
    with contextlib.suppress(redis.RedisError):  # no Redis: the kicks were not sent, nothing to clear
        redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).flushdb()


if __name__ == "__main__":
    main()
