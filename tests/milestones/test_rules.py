"""The assessment rules, without a database: exact days, window ends, and agreement with a brute-force
day-by-day evaluation (property-based)."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from milestones.rules import (
    FAR_FUTURE,
    FAR_PAST,
    Check,
    Position,
    count_holds,
    count_spans,
    first_day_all_hold,
    health_of,
    metric_holds,
    metric_spans,
    position_of,
    ratio_holds,
    ratio_spans,
    stuck_since,
)


def d(text: str) -> int:
    return date.fromisoformat(text).toordinal()


def day(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


AT_LEAST_50 = Check(1, "event_count", "gte", 50)
FOUR_IN_60 = Check(2, "event_count", "gte", 4, window_days=60)


class TestCounts:
    def test_the_50th_lead_is_the_day_the_count_holds(self):
        leads = [(d("2026-02-01"), 30), (d("2026-02-20"), 19), (d("2026-03-02"), 1), (d("2026-03-05"), 7)]
        assert count_spans(AT_LEAST_50, leads) == [(d("2026-03-02"), FAR_FUTURE)]

    def test_a_window_of_60_days_includes_both_its_ends(self):
        one_a_day = Check(3, "event_count", "gte", 1, window_days=60)
        spans = count_spans(one_a_day, [(d("2026-01-01"), 1)])
        # The event counts on its own day and the 59 days after: 2026-01-01 … 2026-03-01.
        assert spans == [(d("2026-01-01"), d("2026-03-01"))]
        assert (d("2026-03-01") - d("2026-01-01")) + 1 == 60

    def test_a_windowed_count_holds_lapses_and_holds_again(self):
        posts = [
            (d(x), 1)
            for x in (
                "2026-01-10",
                "2026-01-20",
                "2026-02-01",
                "2026-02-15",  # 4 within 60 days
                "2026-06-01",
                "2026-06-10",
                "2026-06-20",
                "2026-07-01",
            )
        ]
        assert count_spans(FOUR_IN_60, posts) == [
            (d("2026-02-15"), d("2026-03-10")),  # the 2026-01-10 post leaves the window on 2026-03-11
            (d("2026-07-01"), d("2026-07-30")),
        ]

    def test_at_most_and_exactly_hold_before_any_event(self):
        at_most_2 = Check(4, "event_count", "lte", 2)
        exactly_1 = Check(5, "event_count", "eq", 1)
        events = [(d("2026-01-05"), 1), (d("2026-01-09"), 2)]
        assert count_spans(at_most_2, events) == [(FAR_PAST, d("2026-01-08"))]
        assert count_spans(exactly_1, events) == [(d("2026-01-05"), d("2026-01-08"))]
        assert count_holds(at_most_2, 0)

    def test_greater_than_needs_one_more(self):
        more_than_2 = Check(6, "event_count", "gt", 2)
        assert count_spans(more_than_2, [(10, 2), (12, 1)]) == [(12, FAR_FUTURE)]


class TestMetrics:
    RATE = Check(7, "metric", "gte", 0.15)

    def test_a_metric_holds_while_its_latest_value_meets_the_threshold(self):
        readings = [
            (d("2026-02-01"), 0.10),
            (d("2026-02-20"), 0.15),
            (d("2026-03-10"), 0.14),
            (d("2026-04-01"), 0.2),
        ]
        assert metric_spans(self.RATE, readings) == [
            (d("2026-02-20"), d("2026-03-09")),
            (d("2026-04-01"), FAR_FUTURE),
        ]

    def test_no_value_yet_does_not_hold(self):
        assert metric_spans(self.RATE, []) == []
        assert not metric_holds(self.RATE, None)
        assert metric_holds(self.RATE, 0.15)


class TestRatios:
    QUALIFIED_SHARE = Check(8, "ratio", "gte", 0.15, window_days=90, min_denominator=100)

    def test_exactly_the_threshold_holds(self):
        assert ratio_holds(self.QUALIFIED_SHARE, 15, 100)
        seven_percent = Check(10, "ratio", "gte", 0.07, min_denominator=1)
        assert ratio_holds(seven_percent, 7, 100)
        assert 7 < 0.07 * 100  # why the rule divides instead of multiplying

    def test_a_too_small_denominator_never_holds(self):
        assert not ratio_holds(self.QUALIFIED_SHARE, 50, 99)
        assert ratio_spans(self.QUALIFIED_SHARE, [(10, 50)], [(10, 99)]) == []

    def test_ratio_spans_follow_both_windows(self):
        check = Check(9, "ratio", "gte", 0.5, window_days=10, min_denominator=2)
        spans = ratio_spans(check, numerators=[(3, 1), (6, 1)], denominators=[(1, 2), (6, 2)])
        # day 3: 1/2 holds; day 6: 2/4 holds; day 11 the first 2 leave: 2/2 holds; day 13 the 1 leaves: 1/2;
        # day 16 everything from day 6 leaves: 0/0.
        assert spans == [(3, 15)]


class TestTogether:
    def test_the_earliest_day_all_criteria_hold_together(self):
        leads = count_spans(AT_LEAST_50, [(d("2026-02-01"), 49), (d("2026-03-02"), 1)])
        posts = count_spans(FOUR_IN_60, [(d("2026-01-01"), 4), (d("2026-03-20"), 4)])
        # Posts held in January-February, but leads only reached 50 on 2026-03-02, after the posts lapsed;
        # posts held again from 2026-03-20.
        assert first_day_all_hold([leads, posts], d("2026-01-01"), d("2026-12-31")) == d("2026-03-20")

    def test_the_first_day_of_the_range_counts_when_all_already_hold(self):
        spans = [[(FAR_PAST, FAR_FUTURE)], [(d("2026-01-01"), FAR_FUTURE)]]
        assert first_day_all_hold(spans, d("2026-02-01"), d("2026-02-28")) == d("2026-02-01")

    def test_nothing_after_the_last_day(self):
        assert first_day_all_hold([[(d("2026-03-01"), FAR_FUTURE)]], d("2026-01-01"), d("2026-02-28")) is None

    def test_a_milestone_without_criteria_is_never_achieved(self):
        assert first_day_all_hold([], 1, 100) is None


class TestPosition:
    SEQUENCE = [11, 12, 13, 14]

    def test_an_out_of_order_achievement_does_not_advance_the_position(self):
        position = position_of(self.SEQUENCE, {11: d("2026-02-01"), 13: d("2026-03-01")}, d("2026-01-05"))
        assert position == Position(1, 12, d("2026-02-01"))

    def test_the_position_starts_when_its_run_is_complete(self):
        # The second milestone came first; position 2 was reached when the first one completed the run.
        position = position_of(self.SEQUENCE, {11: d("2026-03-01"), 12: d("2026-02-01")}, d("2026-01-05"))
        assert position == Position(2, 13, d("2026-03-01"))

    def test_position_zero_counts_from_customer_since(self):
        assert position_of(self.SEQUENCE, {}, d("2026-01-05")) == Position(0, 11, d("2026-01-05"))

    def test_all_achieved(self):
        achieved = {m: d("2026-01-10") + i for i, m in enumerate(self.SEQUENCE)}
        assert position_of(self.SEQUENCE, achieved, d("2026-01-05")) == Position(4, None, d("2026-01-13"))

    def test_stuck_when_days_at_position_exceed_the_rule(self):
        at_second = Position(1, 12, d("2026-02-01"))
        rules = [(12, 30), (None, 90)]
        # 30 days at position is not yet more than 30: stuck from the 31st day.
        assert stuck_since(at_second, rules) == d("2026-03-04")
        assert stuck_since(Position(2, 13, d("2026-02-01")), rules) == d("2026-05-03")
        assert stuck_since(Position(2, 13, d("2026-02-01")), [(12, 30)]) is None
        assert stuck_since(Position(4, None, d("2026-02-01")), rules) is None


class TestHealth:
    def test_the_default_formula(self):
        health = health_of(
            21, 3, window_days=30, key_actions_total=5, activity_weight=60, key_action_weight=40
        )
        assert health.score == 66  # 60 × 21/30 + 40 × 3/5 = 42 + 24
        assert (health.active_days, health.key_actions_used, health.key_actions_total) == (21, 3, 5)

    def test_half_points_round_up_exactly(self):
        # 60 × 1/30 + 40 × 1/2 = 2 + 20 = 22; 60 × 16/30 + 40 × 3/8 = 32 + 15 = 47; 60 × 11/40 = 16.5 → 17
        assert (
            health_of(
                1, 1, window_days=30, key_actions_total=2, activity_weight=60, key_action_weight=40
            ).score
            == 22
        )
        assert (
            health_of(
                11, 0, window_days=40, key_actions_total=0, activity_weight=60, key_action_weight=40
            ).score
            == 17
        )

    def test_bounds(self):
        assert (
            health_of(
                30, 5, window_days=30, key_actions_total=5, activity_weight=60, key_action_weight=40
            ).score
            == 100
        )
        assert (
            health_of(
                0, 0, window_days=30, key_actions_total=5, activity_weight=60, key_action_weight=40
            ).score
            == 0
        )


# --- Property: the spans agree with evaluating every day on its own --------------------------------------

daily = st.lists(st.tuples(st.integers(0, 120), st.integers(1, 3)), max_size=25).map(
    lambda pairs: sorted({day: n for day, n in pairs}.items())
)
comparators = st.sampled_from(["gte", "gt", "lte", "lt", "eq"])
windows = st.one_of(st.none(), st.integers(1, 40))


def _count_on(series, day_, window):
    return sum(n for x, n in series if x <= day_ and (window is None or x > day_ - window))


def _in_spans(spans, day_):
    return any(first <= day_ <= last for first, last in spans)


@settings(max_examples=300, deadline=None)
@given(series=daily, comparator=comparators, threshold=st.integers(0, 6), window=windows)
def test_count_spans_agree_with_counting_each_day(series, comparator, threshold, window):
    check = Check(1, "event_count", comparator, threshold, window_days=window)
    spans = count_spans(check, series)
    for day_ in range(-5, 180):
        assert _in_spans(spans, day_) == count_holds(check, _count_on(series, day_, window)), day_


@settings(max_examples=300, deadline=None)
@given(
    top=daily,
    bottom=daily,
    comparator=comparators,
    threshold=st.sampled_from([0.0, 0.25, 0.5, 1.0, 1.5]),
    window=windows,
    minimum=st.integers(1, 4),
)
def test_ratio_spans_agree_with_dividing_each_day(top, bottom, comparator, threshold, window, minimum):
    check = Check(1, "ratio", comparator, threshold, window_days=window, min_denominator=minimum)
    spans = ratio_spans(check, top, bottom)
    for day_ in range(-5, 180):
        expected = ratio_holds(check, _count_on(top, day_, window), _count_on(bottom, day_, window))
        assert _in_spans(spans, day_) == expected, day_


@settings(max_examples=200, deadline=None)
@given(
    readings=st.lists(st.tuples(st.integers(0, 100), st.floats(0, 1)), max_size=15).map(
        lambda pairs: sorted(dict(pairs).items())
    ),
    comparator=comparators,
)
def test_metric_spans_agree_with_the_latest_value_each_day(readings, comparator):
    check = Check(1, "metric", comparator, 0.5)
    spans = metric_spans(check, readings)
    for day_ in range(-5, 130):
        latest = next((value for x, value in reversed(readings) if x <= day_), None)
        assert _in_spans(spans, day_) == metric_holds(check, latest), day_


@settings(max_examples=300, deadline=None)
@given(
    series=st.lists(daily, min_size=1, max_size=4),
    thresholds=st.lists(st.integers(1, 4), min_size=4, max_size=4),
    first=st.integers(0, 60),
    length=st.integers(0, 120),
)
def test_first_day_all_hold_is_the_first_day_every_criterion_holds(series, thresholds, first, length):
    checks = [Check(i, "event_count", "gte", thresholds[i], window_days=20) for i in range(len(series))]
    spans = [count_spans(check, s) for check, s in zip(checks, series, strict=True)]
    expected = next(
        (
            x
            for x in range(first, first + length + 1)
            if all(count_holds(c, _count_on(s, x, 20)) for c, s in zip(checks, series, strict=True))
        ),
        None,
    )
    assert first_day_all_hold(spans, first, first + length) == expected
