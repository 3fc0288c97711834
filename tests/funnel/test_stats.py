"""The statistics, pinned on tiny cases worked by hand."""

from __future__ import annotations

import pytest

from funnel.stats import RankCounter, kaplan_meier, nearest_rank, two_proportion_z_test, wilson_interval


def test_nearest_rank_takes_the_value_at_rank_ceiling_of_p_times_n():
    values = [10, 10, 20, 30, 30]
    assert nearest_rank(values, 0.5) == 20  # rank ⌈2.5⌉ = 3
    assert nearest_rank(values, 0.8) == 30  # rank ⌈4.0⌉ = 4
    assert nearest_rank([30, 60], 0.5) == 30  # the lower middle of an even count
    assert nearest_rank([30, 60], 0.8) == 60
    assert nearest_rank([7], 0.8) == 7
    assert nearest_rank([], 0.5) is None


def test_rank_counter_agrees_with_nearest_rank_with_additions_and_removals():
    counter = RankCounter(100)
    values = [5, 3, 99, 0, 42, 42, 17]
    for value in values:
        counter.add(value)
    counter.add(99, -1)
    values.remove(99)
    for p in (0.2, 0.5, 0.8, 1.0):
        assert counter.percentile(p) == nearest_rank(sorted(values), p)
    assert RankCounter(10).percentile(0.5) is None


def test_wilson_interval_of_8_in_10():
    low, high = wilson_interval(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    assert wilson_interval(0, 0) is None
    low, high = wilson_interval(0, 5)
    assert low == 0.0 and round(high, 4) == 0.4345


def test_two_proportion_z_test_pooled_two_sided():
    test = two_proportion_z_test(40, 100, 60, 100)
    assert round(test.z, 3) == 2.828
    assert round(test.p_value, 4) == 0.0047
    assert test.significant()
    assert not two_proportion_z_test(10, 20, 11, 20).significant()
    assert two_proportion_z_test(0, 10, 0, 10) is None  # no variance, nothing to test
    assert two_proportion_z_test(1, 0, 1, 10) is None


def test_kaplan_meier_counts_the_censored_as_waiting_until_they_leave():
    curve = kaplan_meier([(2, True), (3, False), (4, True), (5, True), (5, False)])
    assert curve.times == (2, 4, 5)
    assert [round(v, 4) for v in curve.values] == [0.8, 0.5333, 0.2667]
    assert curve.at(1) == 1.0
    assert round(curve.at(3.5), 4) == 0.8
    assert (curve.subjects, curve.events) == (5, 3)
    assert curve.followed_beyond(0) == 5
    assert curve.followed_beyond(3) == 3  # followed 4, 5 and 5 days
    assert curve.followed_beyond(5) == 0
    # Dropping the censored instead would claim everyone got there: S(5) = 0.
    dropped = kaplan_meier([(2, True), (4, True), (5, True)])
    assert dropped.at(5) == 0.0


def test_kaplan_meier_of_nobody():
    curve = kaplan_meier([])
    assert curve.at(10) == 1.0 and curve.subjects == 0


@pytest.mark.parametrize("p", [0.5, 0.8])
def test_rank_counter_of_one_value(p):
    counter = RankCounter(5)
    counter.add(4)
    assert counter.percentile(p) == 4
