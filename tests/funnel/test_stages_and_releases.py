"""The buyer funnel's sweep on a hand-worked case, releases found in events, and the daily run's snapshot."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from django.core.management import call_command

from funnel.models import FunnelDay, Release
from funnel.services import releases_from_events
from funnel.stages import StageHistory, stage_days
from tests.factories import CompanyFactory, EventFactory, EventTypeFactory

D = date(2026, 6, 30).toordinal()


def test_stage_counts_moves_and_median_days():
    histories = [
        StageHistory(2, ((D - 40, 0, 1), (D - 5, 1, 2))),  # up twice; in stage 2 for 5 days
        StageHistory(2, ((D - 20, 0, 2),)),  # in stage 2 for 20 days
        StageHistory(1, ((D - 3, 2, 1),)),  # moved down 3 days ago
        StageHistory(0, ()),  # never moved: counted, not timed
    ]
    (rows,) = stage_days(histories, stages=3, first=D, last=D).values()
    assert [r.companies for r in rows] == [1, 1, 2]
    assert (rows[2].up_7, rows[2].up_30, rows[1].down_7, rows[1].up_30) == (1, 2, 1, 0)
    assert rows[2].median_days == 5  # days 5 and 20: the lower middle by nearest rank
    assert (rows[2].timed, rows[0].timed) == (2, 0)
    # Ten days earlier, the first company was still in stage 1 (for 30 days) and the third in stage 2.
    (before,) = stage_days(histories, stages=3, first=D - 10, last=D - 10).values()
    assert [r.companies for r in before] == [1, 1, 2]
    assert before[1].median_days == 30


def test_releases_come_from_the_first_day_a_version_is_seen(db):
    company = CompanyFactory()
    kind = EventTypeFactory(name="session_started")
    for day, version in ((3, "2.4.0"), (1, "2.4.0"), (5, "2.5.0"), (6, "")):
        EventFactory(
            company=company, type=kind, occurred_at=datetime(2026, 3, day, 12, tzinfo=UTC),
            properties={"version": version},
        )  # fmt: skip
    assert releases_from_events(first=date(2026, 3, 1), last=date(2026, 3, 31)) == 2
    assert releases_from_events(first=date(2026, 3, 1), last=date(2026, 3, 31)) == 0  # once
    found = {r.version: (r.date, r.source) for r in Release.objects.all()}
    assert found == {"2.4.0": (date(2026, 3, 1), "events"), "2.5.0": (date(2026, 3, 5), "events")}


def test_the_daily_run_writes_the_days_analytics(methodology):
    CompanyFactory(customer_since=date(2026, 3, 1))
    call_command("run_daily", "--as-of", "2026-03-10", stdout=io.StringIO())
    row = FunnelDay.objects.get(scope="all", as_of=date(2026, 3, 10), position=0)
    assert (row.reached, row.entered) == (1, 1)
