"""Tasks end to end on a real Celery worker and Redis, as beat and the app enqueue them: the daily run (its
chunks fanned out as a chord, the callback writing the snapshot, the journey scores beside it), and the
outbox relay sending a signed webhook. The tests start and stop the worker themselves."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.db import connection

from config.celery import app
from core.days import day_end
from core.models import JobRun, WebhookEndpoint
from core.models import webhook_secret_new as secret_new
from ctas.models import CTA
from daily.tasks import run_daily_task
from journey.models import JourneyState
from journey.services.install import scoring_install, stages_install
from journey.services.scoring import journey_score
from milestones.models import Achievement, CompanyProgress, CTARule, FunnelSnapshot
from tests.factories import CompanyFactory
from tests.milestones.helpers import add_events, count, milestone
from tests.webhooks import Receiver, verify

BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[2]


def _redis_up() -> bool:
    import redis

    try:
        return redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def _requirements_met() -> str | None:
    if connection.vendor != "postgresql":
        return "the worker needs the test database on a server (PostgreSQL)"
    if not _redis_up():
        return f"no Redis at {BROKER}"
    return None


@pytest.fixture
def worker(transactional_db, settings):
    missing = _requirements_met()
    if missing:
        if os.environ.get("WAYPOINT_REQUIRE_WORKER") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    import redis

    redis.Redis.from_url(BROKER).flushdb()
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": BROKER,
        "WAYPOINT_ASSESS_CHUNK": "3",  # several chunks, so the chord really fans out
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency",
            "2",
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    _use_broker(broker_url=BROKER, result_backend=BROKER, task_always_eager=False)
    try:
        yield process
    finally:
        _use_broker(**previous)
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output[-4000:])  # shown when the test fails


def _use_broker(**conf) -> None:
    """Point this process's app at another broker. Its connection pool stays bound to the broker of the
    first send (even an eager .delay() takes a producer from it), so forget the pool as Celery does after a
    fork; otherwise the tasks would go to the in-memory broker of earlier tests. (Not closed: kombu shares
    it per broker URL.)"""
    app.conf.update(conf)
    app._pool = None
    app.amqp._producer_pool = None


def finished(worker, job: str, *, count: int = 1, timeout: float = 90) -> list[JobRun]:
    done = [JobRun.Status.SUCCEEDED, JobRun.Status.FAILED]
    deadline = time.monotonic() + timeout
    runs: list[JobRun] = []
    while time.monotonic() < deadline and worker.poll() is None:
        runs = list(JobRun.objects.filter(job=job, status__in=done).order_by("started_at"))
        if len(runs) >= count:
            break
        time.sleep(0.5)
    assert len(runs) >= count, f"{job} did not finish on the worker"
    assert all(run.status == JobRun.Status.SUCCEEDED for run in runs), [run.detail for run in runs]
    return runs


def test_the_daily_task_runs_end_to_end_on_a_worker(worker):
    stages_install()
    scoring_install()
    first = milestone("first", count("a", 1))
    CTARule.objects.create(name="stuck at the first", milestone=first, min_days_at_position=30)
    companies = [CompanyFactory(customer_since=date(2026, 1, 5)) for _ in range(8)]
    for company in companies[:5]:
        add_events(company, "a", "2026-02-01")
    add_events(companies[0], "demo_requested", "2026-02-27")
    run_daily_task.delay(as_of="2026-03-01")
    [run] = finished(worker, "daily")
    assert (run.chunks_total, run.chunks_done) == (3, 3)
    [scoring] = finished(worker, "scoring")
    assert scoring.detail["until"] == day_end(date(2026, 3, 1)).isoformat()
    state = JourneyState.objects.get(company=companies[0])
    assert (state.score, state.stage.key) == (600, "evaluation")
    assert Achievement.objects.filter(achieved_on=date(2026, 2, 1)).count() == 5
    assert CompanyProgress.objects.filter(as_of=date(2026, 3, 1)).count() == 8
    assert sum(FunnelSnapshot.objects.filter(as_of=date(2026, 3, 1)).values_list("customers", flat=True)) == 8
    # The CTAs, chained after the assessment's chord: the three customers 55 days at the first milestone.
    [ctas] = finished(worker, "ctas")
    assert ctas.as_of == date(2026, 3, 1) and CTA.objects.count() == 3


def test_a_committed_stage_change_reaches_its_webhook_through_the_worker(worker):
    """The kick after commit goes through the broker; the worker's relay signs and posts."""
    receiver = Receiver()
    try:
        endpoint = WebhookEndpoint.objects.create(url=receiver.url, secret=secret_new())
        stages_install()
        scoring_install()
        company = CompanyFactory()
        journey_score(until=day_end(date(2026, 3, 1)))  # the first run: history
        add_events(company, "demo_requested", "2026-03-02")
        journey_score(until=day_end(date(2026, 3, 2)))  # live: the outbox is written and the relay kicked
        deadline = time.monotonic() + 30
        while not receiver.requests and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        [(headers, body)] = receiver.requests
        payload = verify(endpoint.secret, headers, body)
        assert (
            payload["data"]["to_stage"] == "evaluation" and payload["data"]["company"] == company.external_id
        )
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


def test_a_re_assessment_after_a_checklist_edit_fans_out_on_the_worker(worker):
    from milestones.models import Criterion
    from milestones.tasks import reassess_task

    milestone("first", count("a", 2))
    companies = [CompanyFactory(customer_since=date(2026, 1, 5)) for _ in range(8)]
    for company in companies[:5]:
        add_events(company, "a", "2026-02-01")
    Criterion.objects.update(threshold=1)  # the admin's edit: one event is enough now
    reassess_task.delay()
    [run] = finished(worker, "milestones")
    assert run.detail["rebuild"] is True and (run.chunks_total, run.chunks_done) == (3, 3)
    assert run.detail["achievements"] == 5
    assert Achievement.objects.filter(achieved_on=date(2026, 2, 1)).count() == 5
