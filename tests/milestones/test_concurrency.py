"""Two runs started at the same moment: one works, the other is told the job is running."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from core.locks import LeaseHeld
from milestones.models import Achievement
from tests.factories import CompanyFactory
from tests.milestones.helpers import add_events, assess, count, milestone

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs a server database shared by two threads"
    ),
]


def test_two_runs_at_once_one_works_the_other_exits():
    milestone("first", count("a", 1))
    for _ in range(20):
        add_events(CompanyFactory(customer_since=date(2026, 1, 5)), "a", "2026-02-01")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def run() -> None:
        try:
            start.wait()
            assess("2026-03-01")
            outcomes.append("worked")
        except LeaseHeld:
            outcomes.append("skipped")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["skipped", "worked"]
    assert Achievement.objects.count() == 20
