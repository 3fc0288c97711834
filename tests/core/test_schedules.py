import io

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

pytestmark = pytest.mark.django_db


def sync() -> str:
    out = io.StringIO()
    call_command("sync_schedules", stdout=out)
    return out.getvalue()


def test_the_daily_run_is_installed_once_in_the_workspace_time_zone(settings):
    settings.TIME_ZONE = "America/Sao_Paulo"
    assert "created: waypoint: daily run" in sync()
    assert "unchanged: waypoint: daily run" in sync()
    task = PeriodicTask.objects.get(name="waypoint: daily run")
    assert task.task == "daily.run_daily" and task.enabled
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == (
        "30",
        "0",
        "America/Sao_Paulo",
    )
    assert task.expire_seconds == 20 * 3600
    assert PeriodicTask.objects.filter(name__startswith="waypoint: ").count() == 4


def test_pending_events_are_released_every_ten_minutes():
    assert "created: waypoint: pending events" in sync()
    task = PeriodicTask.objects.get(name="waypoint: pending events")
    assert task.task == "ingestion.release_pending"
    assert (task.interval.every, task.interval.period) == (600, "seconds")


def test_scoring_runs_every_five_minutes_for_what_ingestion_kicks_left():
    assert "created: waypoint: scoring" in sync()
    task = PeriodicTask.objects.get(name="waypoint: scoring")
    assert task.task == "journey.score_journeys" and task.crontab is None
    assert (task.interval.every, task.interval.period) == (300, "seconds")


def test_the_outbox_relay_runs_every_minute_and_expires_before_the_next():
    assert "created: waypoint: outbox" in sync()
    task = PeriodicTask.objects.get(name="waypoint: outbox")
    assert task.task == "core.deliver_outbox" and task.crontab is None
    assert (task.interval.every, task.interval.period) == (60, "seconds")
    assert task.expire_seconds == 180


def test_an_edited_schedule_is_put_back_and_a_removed_one_disabled(settings):
    sync()
    PeriodicTask.objects.filter(name="waypoint: daily run").update(task="something.else")
    PeriodicTask.objects.create(
        name="waypoint: old job",
        task="old.task",
        crontab=PeriodicTask.objects.get(name="waypoint: daily run").crontab,
    )
    output = sync()
    assert "updated: waypoint: daily run" in output and "disabled: waypoint: old job" in output
    assert PeriodicTask.objects.get(name="waypoint: daily run").task == "daily.run_daily"
    assert not PeriodicTask.objects.get(name="waypoint: old job").enabled
