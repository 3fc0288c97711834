"""The success funnel on the hand-built population (conftest.py), worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from funnel.members import AnalyticsFilter
from funnel.models import FunnelDay
from funnel.selectors import funnel_view, trends
from funnel.services import snapshots_build
from tests.funnel.population import DAY, PAST


def table(view):
    return [
        (f.reached, f.at, round(f.conversion, 3) if f.conversion is not None else None, f.median_days,
         f.p80_days, f.timed, f.stuck, f.churned, round(f.churn_rate, 3) if f.churn_rate is not None else None)
        for _, f in view.rows
    ]  # fmt: skip


EXPECTED_DAY = [
    # reached, at, conversion, median, p80, timed, stuck, churned, churn rate
    (4, 2, 0.667, 20, 30, 5, 1, 1, 0.333),  # M1: E and J work on it, J stuck; G churned at it
    (2, 2, 0.5, 30, 60, 2, 2, 1, 0.333),  # M2: C and D stuck (30-day rule); F churned at it
    (1, 1, 0.5, 30, 30, 1, 1, 0, 0.0),  # M3: B stuck (90-day rule)
]


@pytest.mark.parametrize("built", [False, True], ids=["live", "snapshot"])
def test_funnel_as_of_a_day(population, built):
    if built:
        snapshots_build(first=PAST, last=DAY, forecasts=False)
    view = funnel_view(AnalyticsFilter(), DAY)
    assert view.source == ("snapshot" if built else "live")
    assert table(view) == EXPECTED_DAY
    assert (view.customers, view.completed, view.churned) == (6, 1, 2)
    assert view.bottleneck[0] == population.milestones[1]


@pytest.mark.parametrize("built", [False, True], ids=["live", "snapshot"])
def test_funnel_of_a_past_day_counts_what_was_true_then(population, built):
    if built:
        snapshots_build(first=PAST, last=DAY, forecasts=False)
    view = funnel_view(AnalyticsFilter(), PAST)
    # On 03-15: A (M3), B, C, F (M1), D and J (none) were customers; G had churned, E not started.
    assert (view.customers, view.churned) == (6, 1)
    assert table(view) == [
        (4, 2, 0.667, 10, 30, 4, 0, 1, 0.333),
        (1, 3, 0.25, 30, 30, 1, 2, 0, 0.0),  # B (since 01-21) and C (since 02-11) past 30 days
        (1, 0, 1.0, 30, 30, 1, 0, 0, None),
    ]


def test_segment_filter_from_the_snapshot_and_live_agree(population):
    smb = AnalyticsFilter(segment="SMB")
    live = table(funnel_view(smb, DAY))
    snapshots_build(first=DAY, last=DAY, forecasts=False)
    view = funnel_view(smb, DAY)
    assert view.source == "snapshot"
    assert table(view) == live
    # A, B, D, J are SMB customers; F (SMB) churned working on M2.
    assert view.customers == 4
    assert [row[:3] for row in live] == [(3, 1, 0.75), (2, 1, 0.667), (1, 1, 0.5)]
    assert [row[7] for row in live] == [0, 1, 0]


def test_csm_filter_is_computed_from_the_book(population):
    view = funnel_view(AnalyticsFilter(csm_id=population.alice.pk), DAY)
    assert view.source == "live"
    assert view.customers == 4  # A, B, E, J (F churned, I not yet a customer)
    assert [(f.reached, f.at, f.stuck) for _, f in view.rows] == [(2, 2, 1), (2, 0, 0), (1, 1, 1)]


def test_two_filters_at_once(population):
    both = AnalyticsFilter(segment="SMB", plan="Pro", cohort=date(2026, 1, 1))
    live = funnel_view(both, DAY)
    assert live.source == "live"
    snapshots_build(first=DAY, last=DAY, forecasts=False)
    view = funnel_view(both, DAY)
    assert view.source == "snapshot"
    assert table(view) == table(live)
    # A, B and J are SMB/Pro customers since January; F (SMB/Pro, January) churned working on M2.
    assert view.customers == 3
    assert [(f.reached, f.at, f.churned) for _, f in view.rows] == [(2, 1, 0), (2, 0, 1), (1, 1, 0)]


def test_backfill_is_idempotent(population):
    first = snapshots_build(first=PAST, last=DAY, forecasts=False)
    rows = sorted(FunnelDay.objects.values_list("scope", "value", "as_of", "position", "reached", "stuck"))
    second = snapshots_build(first=PAST, last=DAY, forecasts=False)
    assert first["rows"] == second["rows"]
    assert (
        sorted(FunnelDay.objects.values_list("scope", "value", "as_of", "position", "reached", "stuck"))
        == rows
    )


def test_trends_give_one_point_per_snapshot_day(population):
    snapshots_build(first=date(2026, 6, 1), last=DAY, forecasts=False)
    _, points = trends(AnalyticsFilter(), date(2026, 6, 1), DAY)
    assert len(points) == 30
    assert table_like(points[-1]) == [row[:3] for row in EXPECTED_DAY]


def table_like(point):
    return [(f.reached, f.at, round(f.conversion, 3)) for f in point.figures]
