"""Job runs an operator can trust: a job that did not run because another run holds its lease exits 75
(EX_TEMPFAIL), not 0; a killed run is marked abandoned when the next one starts; admin lists runs with their
state, progress, times, duration and error."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.locks import lease_acquire, lease_release
from core.models import JobLock, JobRun
from journey.services.scoring import LOCK as SCORING_LOCK

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("command", "lock"),
    [("score_journeys", "scoring"), ("assess_milestones", "daily"), ("run_daily", "daily")],
)
def test_a_held_lease_exits_75(methodology, command, lock):
    held = lease_acquire(lock, ttl=timedelta(minutes=15))
    try:
        with pytest.raises(CommandError, match=r"Not running: .* is already running") as refused:
            call_command(command, "--as-of", "2026-03-02", stdout=io.StringIO())
        assert refused.value.returncode == 75
    finally:
        lease_release(held)
    call_command(command, "--as-of", "2026-03-02", stdout=io.StringIO())  # free: it runs, and exits 0


def test_run_daily_runs_the_jobs_it_can_and_still_exits_75(methodology):
    held = lease_acquire(SCORING_LOCK, ttl=timedelta(minutes=15))
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("run_daily", "--as-of", "2026-03-02", stdout=out)
    assert refused.value.returncode == 75
    assert JobRun.objects.filter(job="daily", status=JobRun.Status.SUCCEEDED).exists()
    assert not JobRun.objects.filter(job="scoring").exists()
    lease_release(held)


@pytest.mark.slow
def test_the_exit_status_reaches_the_shell(transactional_db, methodology):
    """As cron sees it: `manage.py score_journeys` in its own process, the lease held by a dead run."""
    if connection.vendor != "postgresql":
        pytest.skip("a second process needs the test database on a server")
    lease_acquire(SCORING_LOCK, ttl=timedelta(minutes=15))
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "score_journeys"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 75, result.stderr
    assert "Not running: scoring is already running" in result.stderr


def test_a_killed_scoring_run_is_marked_abandoned_by_the_next(methodology):
    call_command("score_journeys", "--as-of", "2026-03-01", stdout=io.StringIO())
    killed = JobRun.objects.create(job="scoring", detail={"event_watermark": 0})  # its process died
    lease_acquire(SCORING_LOCK, ttl=timedelta(minutes=15))
    with pytest.raises(CommandError):  # within the dead run's 15 minutes: held, exit 75
        call_command("score_journeys", "--as-of", "2026-03-02", stdout=io.StringIO())
    killed.refresh_from_db()
    assert killed.status == JobRun.Status.RUNNING
    JobLock.objects.filter(name=SCORING_LOCK).update(expires_at=timezone.now() - timedelta(seconds=1))
    call_command("score_journeys", "--as-of", "2026-03-02", stdout=io.StringIO())
    killed.refresh_from_db()
    assert killed.status == JobRun.Status.ABANDONED
    assert killed.finished_at is not None and killed.detail["event_watermark"] == 0
    assert "abandoned" in killed.detail["error"]
    latest = JobRun.objects.filter(job="scoring").latest("started_at")
    assert latest.status == JobRun.Status.SUCCEEDED


def test_admin_shows_each_run_s_state(client, admin_user):
    now = timezone.now()
    JobRun.objects.create(
        job="daily", status="succeeded", started_at=now - timedelta(seconds=95), finished_at=now
    )
    JobRun.objects.create(
        job="scoring", status="failed", finished_at=now, detail={"error": "RuntimeError: mail server on fire"}
    )
    JobRun.objects.create(
        job="scoring", status="abandoned", finished_at=now, detail={"error": "abandoned: …"}
    )
    JobRun.objects.create(job="daily", chunks_total=10, chunks_done=3)
    client.force_login(admin_user)
    page = client.get(reverse("admin:core_jobrun_changelist")).content.decode()
    for status, label in (
        ("succeeded", "Succeeded"),
        ("failed", "Failed"),
        ("abandoned", "Abandoned"),
        ("running", "Running"),
    ):
        assert f'<span class="run-state run-{status}">{label}</span>' in page
    assert "1 min 35 s" in page
    assert "RuntimeError: mail server on fire" in page
    assert "3 of 10 chunks" in page and "so far" in page
    assert "css/admin.css" in page
