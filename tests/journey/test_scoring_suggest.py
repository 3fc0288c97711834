"""What would move a score next (DESIGN §3.7): exact outcomes of the default rules, tried with the engine."""

from __future__ import annotations

from datetime import timedelta

from journey.scoring.engine import replay
from journey.scoring.suggest import next_moves
from tests.journey.test_scoring_engine import CONFIG, T0, ev


def moves(events, until, **options):
    result = replay(events, CONFIG, until)
    found = next_moves(CONFIG, result.state, events, result.state.through, **options)
    return [(m.text, m.score, m.stage) for m in found]


def test_from_nothing_the_nearest_stage_comes_first_two_ways_per_stage():
    assert moves([], T0) == [
        ("Report downloaded with an attention ratio above 1.2", 200, "education"),
        ("Webinar watched more than 75%", 200, "education"),
        ("Guide read more than 60%", 400, "solution"),
        ("Product webinar attended", 400, "solution"),
        ("Case study or comparison downloaded", 600, "evaluation"),
    ]


def test_a_counting_trigger_says_how_many_more_it_takes_given_the_recent_history():
    views = [ev("blog_viewed", T0), ev("blog_viewed", T0 + timedelta(days=1))]
    assert moves(views, T0 + timedelta(days=2))[0] == (
        "1 more toward “3+ blog views within 14 days”",
        200,
        "education",
    )
    # One view left: two more are needed, listed after the single events that reach Education.
    assert moves(views[:1], T0 + timedelta(days=2), per_stage=3, limit=3) == [
        ("Report downloaded with an attention ratio above 1.2", 200, "education"),
        ("Webinar watched more than 75%", 200, "education"),
        ("2 more toward “3+ blog views within 14 days”", 200, "education"),
    ]


def test_an_event_its_trigger_already_names_is_not_suggested_twice():
    texts = [text for text, _, _ in moves([ev("roi_calculator_used", T0)], T0 + timedelta(days=1))]
    assert texts == [
        "Case study or comparison downloaded",
        "Demo or trial requested",
        "Proposal or contract viewed (auto-score 9.00)",
        "Onboarding, security or references requested",
    ]


def test_at_evaluation_only_ready_to_buy_moves_are_left():
    events = [ev("demo_requested", T0), ev("trial_started", T0 + timedelta(hours=1))]
    assert moves(events, T0 + timedelta(days=1)) == [
        ("Proposal or contract viewed (auto-score 9.00)", 900, "ready_to_buy"),
        ("Onboarding, security or references requested", 800, "ready_to_buy"),
    ]


def test_points_alone_can_be_the_move_when_they_cross_a_bound():
    # 3.99 in Education (the blog ceiling): a sales meeting adds exactly 1.00, a guide 0.75 (no bonus here).
    views = [ev("blog_viewed", T0 + timedelta(hours=h)) for h in range(0, 16 * 12, 12)]
    assert replay(views, CONFIG, views[-1].at).state.score == 399
    assert moves(views, views[-1].at)[:2] == [
        ("Sales meeting attended", 499, "solution"),
        ("Guide downloaded", 474, "solution"),
    ]


def test_ready_to_buy_has_nothing_left_to_suggest():
    assert moves([ev("proposal_viewed", T0)], T0 + timedelta(days=1)) == []
