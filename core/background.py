"""Work deferred within this process, for the embedded default (no broker, so no Celery worker): a kick
runs the work in a background thread after a delay, and kicks that arrive while it waits or runs are
folded into one more run, so nothing kicked is left undone. With a broker, Celery does this instead."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connections

from core.locks import LeaseHeld

logger = logging.getLogger("waypoint.background")


class Deferred:
    """`work`, run in a daemon thread `delay` seconds after a kick; one thread per instance at a time."""

    def __init__(self, name: str, work: Callable[[], object], *, delay: float) -> None:
        self.name, self.work, self.delay = name, work, delay
        self._lock = threading.Lock()
        self._kicked = False
        self._thread: threading.Thread | None = None

    def kick(self) -> None:
        with self._lock:
            self._kicked = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=f"waypoint-{self.name}", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while True:
            time.sleep(self.delay)
            with self._lock:
                if not self._kicked:
                    self._thread = None
                    return
                self._kicked = False
            try:
                close_old_connections()
                self.work()
            except Exception:
                logger.exception("background %s failed; the next kick retries", self.name)
            finally:
                connections.close_all()


class QueuedJob:
    """A long job an admin starts (a rebuild, a re-assessment), never run in the request: with a broker,
    `task` (a Celery task that retries itself while another run holds the lease); without one (the embedded
    default), a thread of this process that runs `work`, waiting out a held lease `retries` times
    `wait_seconds`. Tests, which run tasks eagerly with no threads, run it at once."""

    def __init__(
        self, name: str, work: Callable[[], object], task, *, retries: int, wait_seconds: int
    ) -> None:
        self.name, self.work, self.task = name, work, task
        self.retries, self.wait_seconds = retries, wait_seconds
        self.deferred = Deferred(name, self.run_in_process, delay=0)

    def queue(self) -> None:
        if settings.WAYPOINT_BACKGROUND_THREADS:
            self.deferred.kick()
        else:
            self.task.delay()

    def run_in_process(self) -> None:
        for _ in range(self.retries):
            try:
                self.work()
                return
            except LeaseHeld:
                time.sleep(self.wait_seconds)
        hours = self.retries * self.wait_seconds / 3600
        logger.error("%s gave up: another run held the lease for %g hours", self.name, hours)
