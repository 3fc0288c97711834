"""Segment-compatible ingestion over HTTP against a raw COPY of the same events, on PostgreSQL.

    python benchmarks/bench_ingest.py [--database-url URL] [--companies 10000] [--requests 1500]

Works in a database of its own, seeded once with `seed_demo` (the events table then holds ~1.2M rows and
its indexes, as a live workspace would). It starts gunicorn with 2 workers on the production settings
(tasks sent to a Redis queue nothing consumes: scoring is a worker's job, not the request's), and from a
separate process (benchmarks/ingest_load.py) POSTs --requests batches of 100 track events, 4 connections
at a time, each event attributed by context.groupId to a seeded company. Then it prints, each the median of
--repeat runs with fresh messageIds:
  (h) events/second through POST /v1/batch, and the p50/p95/p99 latency of a request;
  (c) events/second of a binary COPY of the same events (same companies, types, properties, new
      messageIds) into the same table, in one transaction;
  (x) the replay of the last run's requests: events stored (target 0) and its events/second;
and the ratio h/c (target ≥ 0.40) and p95 (target ≤ 100 ms). The rows each run adds are deleted after it,
so every repeat writes into the same table."""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, machine_line, prepare_database, setup_django, vacuum, verdict

SOURCE = "bench-ingest"
NAMES = (
    "blog_viewed", "report_downloaded", "webinar_attended", "pricing_page_viewed", "features_page_viewed",
    "lead_created", "landing_page_published", "email_campaign_sent", "session_started", "case_study_downloaded",
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/waypoint_bench_ingest")
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=1500, help="requests of 100 events per run")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/13", help="where scoring kicks go")
    parser.add_argument("--fresh", action="store_true", help="regenerate the workspace")
    args = parser.parse_args()

    prepare_database(args.database_url, companies=args.companies, fresh=args.fresh)
    setup_django(args.database_url)
    from django.db import connection

    from companies.models import Company
    from ingestion.services.write_keys import write_key_create

    print(machine_line())
    _cleanup(keys=True)
    vacuum("companies_event")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM companies_event")
        print(f"events table: {cursor.fetchone()[0]:,} rows before the runs")
    _, key = write_key_create(name="Benchmark", source=SOURCE)
    external_ids = list(Company.objects.order_by("id").values_list("external_id", flat=True))
    rng = random.Random(7)
    server = _gunicorn(args)
    try:
        _send(args, key, _bodies(rng, external_ids, args.batch, 20, "warm"), expect=20 * args.batch)
        http, latencies, copy = [], [], []
        for run in range(args.repeat):
            bodies = _bodies(rng, external_ids, args.batch, args.requests, f"r{run}")
            seconds, lat = _send(args, key, bodies, expect=args.requests * args.batch)
            http.append(args.requests * args.batch / seconds)
            latencies.extend(lat)
            copy.append(_copy(bodies))
            if run < args.repeat - 1:
                _cleanup()
        replay_seconds, _ = _send(args, key, bodies, expect=0)
    finally:
        server.terminate()
        server.wait(timeout=30)
        _cleanup(keys=True)
    h, c = statistics.median(http), statistics.median(copy)
    quantiles = statistics.quantiles([x * 1000 for x in latencies], n=100)
    total = args.requests * args.batch
    print(f"(h) POST /v1/batch, {args.requests:,} × {args.batch} events, {args.concurrency} connections, "
          f"gunicorn {args.workers} workers: {h:,.0f} events/s (median of {args.repeat}: "
          f"{', '.join(f'{x:,.0f}' for x in http)})")  # fmt: skip
    print(f"    latency per request: p50 {quantiles[49]:.1f} ms, p95 {quantiles[94]:.1f} ms, "
          f"p99 {quantiles[98]:.1f} ms")  # fmt: skip
    print(f"(c) binary COPY of the same {total:,} events: {c:,.0f} events/s "
          f"(median of {args.repeat}: {', '.join(f'{x:,.0f}' for x in copy)})")  # fmt: skip
    print(f"(x) replay of the last run's {args.requests:,} requests: 0 events stored (checked), "
          f"{total / replay_seconds:,.0f} events/s")  # fmt: skip
    print(verdict("h/c", h / c, 0.40, at_least=True))
    print(verdict("p95 ms", quantiles[94], 100))


def _bodies(rng: random.Random, external_ids: list[str], batch: int, requests: int, run: str) -> list[bytes]:
    """Request bodies as segment-analytics-python sends them (its default batch is 100 messages)."""
    now = datetime.now(UTC)
    bodies = []
    for request in range(requests):
        messages = []
        for index in range(batch):
            company = rng.choice(external_ids)
            moment = now - timedelta(seconds=rng.randrange(86_400))
            messages.append({
                "type": "track",
                "messageId": f"{run}-{request}-{index}-{secrets.token_hex(6)}",
                "userId": f"{company}-u{rng.randrange(3)}",
                "event": rng.choice(NAMES),
                "properties": {"url": f"/blog/post-{rng.randrange(500)}", "session_id": f"s-{rng.randrange(10**6)}",
                               "content_stage": rng.choice(("problem", "solution", "evaluation"))},
                "context": {"groupId": company, "library": {"name": "analytics-python", "version": "2.4.0"}},
                "timestamp": moment.isoformat(timespec="milliseconds"),
            })  # fmt: skip
        bodies.append(json.dumps({"batch": messages, "sentAt": now.isoformat()}).encode())
    return bodies


def _gunicorn(args) -> subprocess.Popen:
    if not args.port:  # a free port: a server left over from an earlier run must not answer for this one
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.broker,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "WAYPOINT_LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", str(args.workers),
         "--threads", str(args.threads), "--bind", f"127.0.0.1:{args.port}", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited ({server.returncode}); is port {args.port} in use?")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def _send(args, key: str, bodies: list[bytes], *, expect: int) -> tuple[float, list[float]]:
    from companies.models import Event

    before = Event.objects.filter(source=SOURCE).count()
    with tempfile.NamedTemporaryFile("wb", suffix=".jsonl") as handle:
        handle.write(b"\n".join(bodies))
        handle.flush()
        out = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "ingest_load.py"), "--url",
             f"http://127.0.0.1:{args.port}/v1/batch", "--key", key, "--bodies", handle.name,
             "--concurrency", str(args.concurrency)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
    result = json.loads(out.stdout)
    stored = Event.objects.filter(source=SOURCE).count() - before
    if result["statuses"] != {"200": len(bodies)} or stored != expect:
        raise SystemExit(f"unexpected: statuses {result['statuses']}, {stored:,} stored, {expect:,} expected")
    return result["seconds"], result["latencies"]


def _copy(bodies: list[bytes]) -> float:
    """The same events as rows, with new messageIds, in one binary COPY; events/second."""
    from django.db import connection, transaction

    from companies.models import Company, Event
    from core.bulk import bulk_load
    from ingestion.services.events import event_type_ids

    messages = [m for body in bodies for m in json.loads(body)["batch"]]
    company_ids = dict(Company.objects.values_list("external_id", "id"))
    type_ids = event_type_ids(NAMES)
    rows = [
        (company_ids[m["context"]["groupId"]], type_ids[m["event"]], datetime.fromisoformat(m["timestamp"]),
         SOURCE, "copy-" + m["messageId"], None, m["properties"]["session_id"], m["properties"])
        for m in messages
    ]  # fmt: skip
    fields = ("company", "type", "occurred_at", "source", "message_id", "contact", "session_id", "properties")
    started = time.perf_counter()
    with transaction.atomic():
        bulk_load(Event, fields, rows)
    seconds = time.perf_counter() - started
    connection.close()
    return len(rows) / seconds


def _cleanup(*, keys: bool = False) -> None:
    """Remove the rows the runs added (and, before and after all runs, the benchmark's write key)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM companies_event WHERE source = %s", [SOURCE])
        cursor.execute("DELETE FROM ingestion_pendingevent WHERE source = %s", [SOURCE])
        if keys:
            cursor.execute("DELETE FROM ingestion_writekey WHERE source = %s", [SOURCE])
    vacuum("companies_event")


if __name__ == "__main__":
    main()
