"""The lookback is one fact: the models accept no window longer than the engine keeps as context when it
continues a stored state, so continuing always equals a replay (DESIGN §3.6). Both tests read the models'
limits from their validation, not from the constant, so a second definition that drifts fails them."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from journey.models import ScoringSettings, StageTrigger
from journey.scoring.domain import LOOKBACK, Bonuses, Config, Rule, ScoringEvent, continues
from journey.scoring.engine import replay

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
STAGES = ((0, "target", "Target"), (200, "education", "Education"), (400, "solution", "Solution"))


def _valid(model) -> bool:
    try:
        model.full_clean(exclude=["stage"])
    except ValidationError:
        return False
    return True


def _largest(accepted, high: int = 10_000) -> int:
    """The largest n in [1, high] that `accepted(n)` allows (it allows a prefix of the range)."""
    low = 1
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if accepted(middle) else (low, middle - 1)
    return low


@functools.cache
def longest_trigger_window() -> int:
    """The longest window a counting trigger may have, as the admin form would accept it."""
    return _largest(
        lambda days: _valid(
            StageTrigger(name="t", event_names=["x"], min_count=3, window_days=days, floor=400)
        )
    )


@functools.cache
def longest_settings() -> ScoringSettings:
    """Scoring settings with every bonus window at the longest the database accepts."""

    def fits(**values) -> bool:
        options = ScoringSettings(**values)
        try:
            options.validate_constraints()
        except ValidationError:
            return False
        return True

    session = _largest(lambda days: fits(session_bonus_days=days))
    duration = _largest(lambda days: fits(duration_bonus_days=days))
    lasts = 7
    within = _largest(lambda hours: fits(content_bonus_lasts_days=lasts, content_bonus_within_hours=hours))
    return ScoringSettings(
        session_bonus_days=session,
        duration_bonus_days=duration,
        content_bonus_lasts_days=lasts,
        content_bonus_within_hours=within,
    )


@pytest.mark.django_db
def test_no_window_the_models_accept_is_longer_than_the_engines_lookback():
    assert timedelta(days=longest_trigger_window()) <= LOOKBACK
    options = longest_settings()
    assert timedelta(days=options.session_bonus_days) <= LOOKBACK
    assert 2 * timedelta(days=options.duration_bonus_days) <= LOOKBACK  # this period and the one before
    reach = timedelta(days=options.content_bonus_lasts_days, hours=options.content_bonus_within_hours)
    assert reach <= LOOKBACK


def _config(window_days: int, options: ScoringSettings) -> Config:
    from journey.scoring.domain import Trigger

    return Config(
        rules={
            "blog_viewed": (Rule(1, "blog_viewed", "engagement", 40, 399),),
            "session_started": (Rule(2, "session_started", "engagement", 10, 399),),
        },
        triggers=(
            Trigger(
                1,
                "3 views",
                400,
                "solution",
                frozenset({"blog_viewed"}),
                None,
                3,
                "events",
                timedelta(days=window_days),
            ),
        ),
        stages=STAGES,
        bonuses=Bonuses(
            session_window=timedelta(days=options.session_bonus_days),
            duration_window=timedelta(days=options.duration_bonus_days),
            content_within=timedelta(hours=options.content_bonus_within_hours),
            content_lasts=timedelta(days=options.content_bonus_lasts_days),
        ),
    )


@pytest.mark.django_db
def test_the_longest_window_the_models_accept_counts_its_whole_length():
    """Three views spread over exactly the longest window, ends included, trigger: the engine keeps that
    much history."""
    window = longest_trigger_window()
    config = _config(window, longest_settings())
    views = [
        ScoringEvent(at=T0 + timedelta(days=day), key=f"s/{n}", name="blog_viewed")
        for n, day in enumerate([0, window / 2, window])
    ]
    assert replay(views, config, views[-1].at).state.score == 400
    assert replay(views[1:], config, views[-1].at).state.score < 400


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(
    offsets=st.lists(st.integers(0, 24 * 150), min_size=2, max_size=14, unique=True),
    cut=st.integers(1, 13),
)
def test_continuing_with_the_longest_windows_equals_a_replay(offsets, cut):
    config = _config(longest_trigger_window(), longest_settings())
    events = sorted(
        (
            ScoringEvent(
                at=T0 + timedelta(hours=hours),
                key=f"s/{n:03d}",
                name="session_started" if n % 3 == 2 else "blog_viewed",
                session_id=f"s{n % 4}",
                content_stage=("problem", "solution", "")[n % 3],
                duration_seconds=60.0 * (n + 1) if n % 3 == 2 else None,
            )
            for n, hours in enumerate(offsets)
        ),
        key=lambda e: e.order,
    )
    cut = min(cut, len(events) - 1)
    first, second = events[:cut], events[cut:]
    until = events[-1].at + timedelta(days=1)
    state = replay(first, config, first[-1].at).state
    assert continues(state, second[0].at)
    context = [e for e in first if e.at >= second[0].at - LOOKBACK]  # what the scoring service reads
    continued = replay(second, config, until, state=state, context=context).state
    expected = replay(events, config, until).state
    assert (continued.score, continued.next_decay_at) == (expected.score, expected.next_decay_at)
