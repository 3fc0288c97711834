"""The forecasts' arithmetic on a tiny case worked by hand, and their refusal below the minimum group."""

from __future__ import annotations

import pytest

from funnel import forecast
from funnel.forecast import account_forecast, backtest, survival_curves, throughput, time_at_position
from funnel.rules import Journey

# As of day 100: four companies reached milestone 1 after 10, 20, 30 and 40 days; one has waited 50 days
# and one 15 days (both censored: still waiting).
JOURNEYS = [
    Journey(0, None, (10,)),
    Journey(0, None, (20,)),
    Journey(0, None, (30,)),
    Journey(0, None, (40,)),
    Journey(50, None, ()),
    Journey(85, None, ()),
]


@pytest.fixture
def small_groups(monkeypatch):
    monkeypatch.setattr(forecast, "MIN_GROUP", 2)


def test_time_at_position_censors_those_still_waiting():
    assert sorted(time_at_position(JOURNEYS, 0, 100)) == [
        (10, True), (15, False), (20, True), (30, True), (40, True), (50, False)
    ]  # fmt: skip
    # A churned company is followed until its churn.
    assert time_at_position([Journey(0, 12, ())], 0, 100) == [(12, False)]


def test_account_forecast(small_groups):
    curve = survival_curves(JOURNEYS, 1, 100)[0]
    assert [round(v, 4) for v in curve.values] == [0.8333, 0.625, 0.4167, 0.2083]
    result = account_forecast(curve, 0, 15)
    assert round(result.probability, 4) == 0.75  # 1 − S(105)/S(15) = 1 − 0.2083/0.8333
    assert result.days_to_go == 15  # S(30)/S(15) = ½
    assert result.group == 4  # followed longer than 15 days
    # Nobody was followed longer than 50 days: no group to forecast from.
    beyond = account_forecast(curve, 0, 50)
    assert beyond.declined and beyond.group == 0


def test_account_forecast_declines_below_the_minimum_group():
    curve = survival_curves(JOURNEYS, 1, 100)[0]
    result = account_forecast(curve, 0, 15)
    assert result.declined and result.group == 4


def test_throughput_sums_each_customers_chance_with_a_range(small_groups):
    curves = survival_curves(JOURNEYS, 1, 100)
    (row,) = throughput(JOURNEYS, curves, 100, 90)
    # Waiting: 50 days (no more events in the data: 0) and 15 days (0.75).
    assert (row.milestone, row.waiting, row.group) == (1, 2, 6)
    assert round(row.expected, 2) == 0.75
    assert (row.low, row.high) == (0, 2)


def test_throughput_declines_below_the_minimum_group():
    (row,) = throughput(JOURNEYS, survival_curves(JOURNEYS, 1, 100), 100, 30)
    assert row.expected is None and row.group == 6


def test_backtest_forecasts_from_what_was_known_then(small_groups):
    result = backtest(JOURNEYS, 1, 30, 30)
    (row, actual) = result.rows[0]
    # On day 30 only the company waiting 30 days was at position 0; S(30) = S(60) in what was known then.
    assert (row.waiting, round(row.expected, 2), actual) == (1, 0.0, 1)
    assert result.error == -1.0
    assert result.within_range == (0, 1)
    # Per account: nobody had been followed longer than its 30 days, so its forecast was declined.
    assert (result.accounts.accounts, result.accounts.brier) == (0, None)
    later = backtest(JOURNEYS, 1, 60, 30)
    # On day 60: the company since day 50 has waited 10 days; all 3 followed longer reached it by day 40, so
    # P = 1 − S(40)/S(10) = 1; it never did: Brier (1 − 0)² = 1.
    assert (later.accounts.accounts, later.accounts.brier, later.accounts.predicted) == (1, 1.0, 1.0)
