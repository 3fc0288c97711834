"""Deferred work in this process (the embedded default, no broker): kicks are folded, none is lost, and the
work never runs inside the caller."""

from __future__ import annotations

import threading
import time

import pytest

from core.background import Deferred


def _wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the deferred work did not run in time"
        time.sleep(0.01)


def test_kicks_that_arrive_while_it_waits_are_one_run():
    runs = []
    deferred = Deferred("test", lambda: runs.append(threading.current_thread().name), delay=0.2)
    for _ in range(5):
        deferred.kick()
    assert runs == []  # not in the caller
    _wait_for(lambda: runs)
    time.sleep(0.4)
    assert runs == ["waypoint-test"]


def test_a_kick_during_a_run_brings_one_more_run():
    started, release, runs = threading.Event(), threading.Event(), []

    def work() -> None:
        runs.append(len(runs))
        started.set()
        release.wait(5)

    deferred = Deferred("test", work, delay=0.05)
    deferred.kick()
    _wait_for(started.is_set)
    deferred.kick()  # arrives while the first run works
    release.set()
    _wait_for(lambda: len(runs) == 2)
    time.sleep(0.2)
    assert runs == [0, 1]


def test_a_failing_run_does_not_stop_the_next_kick(caplog):
    calls = []

    def work() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")

    deferred = Deferred("test", work, delay=0.05)
    deferred.kick()
    _wait_for(lambda: calls)
    _wait_for(lambda: deferred._thread is None)
    deferred.kick()
    _wait_for(lambda: len(calls) == 2)
    assert "background test failed" in caplog.text


@pytest.mark.django_db
def test_without_a_broker_ingestion_kicks_the_thread_not_a_task(settings, monkeypatch):
    from ingestion.services import events

    settings.WAYPOINT_BACKGROUND_THREADS = True
    kicked = []
    monkeypatch.setattr(events._in_process, "kick", lambda: kicked.append(True))
    monkeypatch.setattr(events.score_journeys_task, "apply_async", lambda **kwargs: pytest.fail("a task"))
    events.scoring_kick()
    assert kicked == [True]
