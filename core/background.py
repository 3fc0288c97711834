"""Work deferred within this process, for the embedded default (no broker, so no Celery worker): a kick
runs the work in a background thread after a delay, and kicks that arrive while it waits or runs are
folded into one more run, so nothing kicked is left undone. With a broker, Celery does this instead."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.db import close_old_connections, connections

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
