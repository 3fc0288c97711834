"""The scoring rules of DESIGN §3 with the default catalogue, as exact numbers; no database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from core.conditions import Condition
from journey import defaults
from journey.scoring.domain import LOOKBACK, Bonuses, Config, Rule, ScoringEvent, State, Trigger, continues
from journey.scoring.engine import replay

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
STAGES = tuple((s["min_score"], s["key"], s["name"]) for s in defaults.STAGES)
BOUNDS = {key: lower for lower, key, _ in STAGES}


def default_config(**changes) -> Config:
    rules: dict[str, list[Rule]] = {}
    for index, spec in enumerate(defaults.RULES):
        condition = (
            Condition(spec["property_key"], spec["property_operator"], spec["property_value"])
            if spec.get("property_key")
            else None
        )
        rules.setdefault(spec["event_name"], []).append(
            Rule(
                index,
                spec["event_name"],
                spec["kind"],
                spec["points"],
                spec["ceiling"],
                condition,
                spec.get("decay_factor"),
                spec.get("decay_days"),
            )
        )
    for name in rules:
        rules[name].sort(key=lambda r: r.condition is None)
    triggers = []
    for index, spec in enumerate(defaults.TRIGGERS):
        condition = (
            Condition(spec["property_key"], spec["property_operator"], spec["property_value"])
            if spec.get("property_key")
            else None
        )
        triggers.append(
            Trigger(
                index,
                spec["name"],
                spec["floor"] if spec["floor"] is not None else BOUNDS[spec["stage"]],
                spec["stage"],
                frozenset(spec["event_names"]),
                condition,
                spec.get("min_count", 1),
                spec.get("counting", "events"),
                timedelta(days=spec["window_days"]) if spec.get("window_days") else None,
                spec.get("same_session", False),
            )
        )
    config = Config({k: tuple(v) for k, v in rules.items()}, tuple(triggers), STAGES)
    for key, value in changes.items():
        object.__setattr__(config, key, value)
    return config


CONFIG = default_config()
NO_BONUS = default_config(bonuses=Bonuses(session_pct=0, duration_pct=0, content_pct=0))
_n = iter(range(10**9))


def ev(name: str, at: datetime, **fields) -> ScoringEvent:
    return ScoringEvent(at=at, key=f"t/{next(_n):09d}", name=name, **fields)


def score(events, until=None, config=CONFIG):
    events = sorted(events, key=lambda e: e.order)
    return replay(events, config, until or events[-1].at)


class TestStageTriggers:
    def test_three_blog_views_within_14_days_reach_education(self):
        views = [ev("blog_viewed", T0 + timedelta(days=d)) for d in (0, 5, 14)]  # the 14th day still counts
        result = score(views, config=NO_BONUS)
        assert result.state.score == 200
        assert [(c.from_stage, c.to_stage) for c in result.changes] == [("target", "education")]

    def test_three_blog_views_over_20_days_do_not(self):
        views = [ev("blog_viewed", T0 + timedelta(days=d)) for d in (0, 10, 20)]
        result = score(views, config=NO_BONUS)
        # 0.25 each; each view decays a week later: 0.25 → 0 on day 7, again on day 17
        assert result.state.score == 25
        assert result.changes == []

    def test_report_attention_ratio_must_exceed_1_2(self):
        assert score([ev("report_downloaded", T0, properties={"attention_ratio": 1.2})]).state.score == 50
        assert score([ev("report_downloaded", T0, properties={"attention_ratio": 1.21})]).state.score == 200

    def test_webinar_watched_more_than_75_percent(self):
        assert score([ev("webinar_attended", T0, properties={"percent_watched": 75})]).state.score == 50
        assert score([ev("webinar_attended", T0, properties={"percent_watched": 76})]).state.score == 200

    def test_a_product_webinar_reaches_solution(self):
        result = score([ev("webinar_attended", T0, properties={"webinar_type": "product"})])
        assert result.state.score == 400

    def test_two_pricing_or_features_views_in_one_session(self):
        same = [
            ev("features_page_viewed", T0, session_id="s1"),
            ev("pricing_page_viewed", T0 + timedelta(minutes=3), session_id="s1"),
        ]
        apart = [
            ev("features_page_viewed", T0, session_id="s1"),
            ev("pricing_page_viewed", T0 + timedelta(minutes=3), session_id="s2"),
        ]
        assert score(same, config=NO_BONUS).state.score == 400
        assert score(apart, config=NO_BONUS).state.score == 75

    def test_three_contacts_active_within_14_days_reach_evaluation(self):
        visits = [
            ev("blog_viewed", T0 + timedelta(days=d), contact_id=c)
            for d, c in ((0, 1), (3, 2), (3, 1), (13, 3))
        ]
        assert score(visits, config=NO_BONUS).state.score == 600

    def test_pricing_page_in_two_sessions_within_14_days(self):
        views = [
            ev("pricing_page_viewed", T0, session_id="a"),
            ev("pricing_page_viewed", T0 + timedelta(days=9), session_id="b"),
        ]
        assert score(views, config=NO_BONUS).state.score == 600

    def test_a_demo_request_reaches_evaluation(self):
        assert score([ev("demo_requested", T0)]).state.score == 600


class TestReadyToBuy:
    def test_a_proposal_sets_9_00_and_14_idle_days_bring_it_to_7_00(self):
        result = score([ev("proposal_viewed", T0)], until=T0 + timedelta(days=14))
        assert result.state.score == 700
        assert [(c.to_stage, c.score, c.cause) for c in result.changes] == [
            ("ready_to_buy", 900, "event"),
            ("evaluation", 700, "decay"),
        ]
        assert result.changes[1].at == T0 + timedelta(days=14)

    def test_a_proposal_never_lowers_a_higher_score(self):
        events = [
            ev("proposal_viewed", T0),
            ev("sales_meeting_attended", T0 + timedelta(hours=1)),
            ev("contract_viewed", T0 + timedelta(hours=2)),
        ]
        assert score(events).state.score == 1000

    def test_a_sales_meeting_at_9_50_gives_10_00(self):
        events = [ev("proposal_viewed", T0), ev("security_info_requested", T0 + timedelta(hours=1))]
        assert score(events).state.score == 950
        events.append(ev("sales_meeting_attended", T0 + timedelta(hours=2)))
        assert score(events).state.score == 1000

    def test_a_sales_meeting_adds_exactly_one_point_without_bonus(self):
        warm = [
            ev("session_started", T0 - timedelta(days=1), session_id="a"),
            ev("session_started", T0, session_id="b"),
        ]
        assert score([*warm, ev("sales_meeting_attended", T0 + timedelta(minutes=5))]).state.score == 22 + 100

    def test_onboarding_security_and_references_raise_to_8_00(self):
        for name in ("onboarding_doc_viewed", "security_info_requested", "reference_requested"):
            assert score([ev(name, T0)]).state.score == 800


class TestCeilings:
    def test_content_alone_never_leaves_its_stage(self):
        views = [ev("blog_viewed", T0 + timedelta(hours=h)) for h in range(40)]  # 40 × 0.25
        assert score(views, config=NO_BONUS).state.score == 399

    def test_an_event_never_lowers_a_score_through_its_ceiling(self):
        events = [ev("demo_requested", T0), ev("blog_viewed", T0 + timedelta(hours=1))]
        result = score(events, config=NO_BONUS)
        assert result.state.score == 600


class TestDecay:
    def test_one_point_per_full_week_from_the_last_engagement(self):
        result = score([ev("demo_requested", T0)], until=T0 + timedelta(days=20))
        assert result.state.score == 400  # steps on day 7 and day 14
        assert result.state.next_decay_at == T0 + timedelta(days=21)
        assert (
            score([ev("demo_requested", T0)], until=T0 + timedelta(days=7) - timedelta(seconds=1)).state.score
            == 600
        )

    def test_engagement_restarts_the_clock(self):
        events = [ev("demo_requested", T0), ev("blog_viewed", T0 + timedelta(days=6))]
        result = score(events, until=T0 + timedelta(days=12), config=NO_BONUS)
        assert result.state.score == 600  # the step moved to day 13

    def test_never_below_zero(self):
        result = score([ev("blog_viewed", T0)], until=T0 + timedelta(days=60))
        assert result.state.score == 0 and result.state.next_decay_at is None

    def test_unsubscribing_costs_a_point_and_doubles_decay_for_28_days(self):
        events = [ev("proposal_viewed", T0), ev("unsubscribed", T0 + timedelta(days=1))]
        state = score(events, until=T0 + timedelta(days=35)).state
        # 9.00 → 8.00 at once; steps on days 7, 14, 21, 28 (until day 29) cost 2.00 each: 0.00
        assert state.score == 0
        events = [ev("proposal_viewed", T0), ev("unsubscribed", T0 + timedelta(days=1))]
        assert score(events, until=T0 + timedelta(days=7)).state.score == 600

    def test_a_signal_scales_the_steps_after_it_up_to_the_end_of_its_window(self):
        # A competitor visit on day 14, at the moment of a step: that step is not scaled; the window
        # (day 14, day 28] scales the steps of days 21 and 28 (its end included); day 35's is not.
        events = [ev("proposal_viewed", T0), ev("competitor_visited", T0 + timedelta(days=14))]
        assert (
            score(events, until=T0 + timedelta(days=35)).state.score == 900 - 100 - 100 - 50 - 150 - 150 - 100
        )

    def test_overlapping_signals_take_the_larger_factor(self):
        events = [
            ev("proposal_viewed", T0),
            ev("competitor_visited", T0 + timedelta(days=1)),
            ev("unsubscribed", T0 + timedelta(days=2)),
        ]
        # 9.00 − 0.50 − 1.00 = 7.50; day 7 step × 2 (not × 1.5): 5.50
        assert score(events, until=T0 + timedelta(days=7)).state.score == 550


class TestVelocityBonuses:
    def problem(self, at, **fields):
        return ev("blog_viewed", at, content_stage="problem", **fields)

    def test_two_sessions_in_seven_days_add_20_percent(self):
        events = [
            ev("blog_viewed", T0, session_id="a"),
            ev("blog_viewed", T0 + timedelta(days=2), session_id="b"),
        ]
        assert score(events).state.score == 25 + 30

    def test_longer_sessions_than_the_month_before_add_15_percent(self):
        events = [
            ev("session_started", T0 - timedelta(days=50), duration_seconds=100),
            ev("session_started", T0 - timedelta(days=45), duration_seconds=200),
            ev("session_started", T0 - timedelta(days=20), duration_seconds=300),
            ev("session_started", T0 - timedelta(days=10), duration_seconds=300),
            ev("guide_downloaded", T0),
        ]
        result = replay(sorted(events, key=lambda e: e.order), CONFIG, T0, explain=True)
        assert result.steps[-1].bonuses == (("longer sessions", 15),)
        assert result.steps[-1].applied == 86  # 0.75 × 1.15 = 0.8625

    def test_solution_content_soon_after_problem_content_adds_25_percent_for_7_days(self):
        events = [
            self.problem(T0),
            ev("guide_downloaded", T0 + timedelta(hours=71), content_stage="solution"),
            ev("features_page_viewed", T0 + timedelta(days=9)),  # within 7 days of the solution content
            ev("features_page_viewed", T0 + timedelta(days=11)),  # past them
        ]
        result = replay(sorted(events, key=lambda e: e.order), CONFIG, events[-1].at, explain=True)
        assert [step.bonuses for step in result.steps] == [
            (),
            (("problem → solution", 25),),
            (("problem → solution", 25),),
            (),
        ]
        assert [step.applied for step in result.steps] == [25, 94, 31, 25]

    def test_too_slow_a_solution_does_not_count(self):
        events = [
            self.problem(T0),
            ev("guide_downloaded", T0 + timedelta(hours=73), content_stage="solution"),
        ]
        result = replay(sorted(events, key=lambda e: e.order), CONFIG, events[-1].at, explain=True)
        assert result.steps[-1].bonuses == ()

    def test_all_three_add_up(self):
        events = [
            ev("session_started", T0 - timedelta(days=50), duration_seconds=100, session_id="1"),
            ev("session_started", T0 - timedelta(days=45), duration_seconds=100, session_id="2"),
            ev("session_started", T0 - timedelta(days=3), duration_seconds=400, session_id="3"),
            ev("session_started", T0 - timedelta(days=2), duration_seconds=400, session_id="4"),
            self.problem(T0 - timedelta(days=1), session_id="4"),
            ev("roi_calculator_used", T0, content_stage="solution", session_id="5"),
        ]
        result = replay(sorted(events, key=lambda e: e.order), CONFIG, T0, explain=True)
        assert dict(result.steps[-1].bonuses) == {
            "sessions": 20,
            "longer sessions": 15,
            "problem → solution": 25,
        }
        assert result.steps[-1].applied == 120  # 0.75 × 1.60

    def test_bonuses_never_multiply_floors_or_sales_signals(self):
        events = [
            ev("session_started", T0, session_id="a"),
            ev("session_started", T0 + timedelta(hours=1), session_id="b"),
            ev("demo_requested", T0 + timedelta(hours=2), session_id="b"),
        ]
        result = replay(events, CONFIG, events[-1].at, explain=True)
        assert result.steps[-1].bonuses == () and result.state.score == 600


class TestStageBounds:
    def test_lower_bounds_are_inclusive(self):
        assert [CONFIG.stage_of(s) for s in (0, 199, 200, 399, 400, 599, 600, 799, 800, 1000)] == [
            "target",
            "target",
            "education",
            "education",
            "solution",
            "solution",
            "evaluation",
            "evaluation",
            "ready_to_buy",
            "ready_to_buy",
        ]


# --- Property: continuing from stored state equals a replay, whatever the arrival order -------------------

NAMES = [
    "blog_viewed",
    "report_downloaded",
    "guide_downloaded",
    "pricing_page_viewed",
    "features_page_viewed",
    "demo_requested",
    "session_started",
    "unsubscribed",
    "competitor_visited",
    "proposal_viewed",
    "sales_meeting_attended",
    "webinar_attended",
]


def random_history(seed: int) -> list[ScoringEvent]:
    rng = random.Random(seed)
    events = []
    for n in range(rng.randint(1, 30)):
        name = rng.choice(NAMES)
        events.append(
            ScoringEvent(
                at=T0 + timedelta(hours=rng.randint(0, 24 * 120)),
                key=f"s/{n:04d}",
                name=name,
                session_id=rng.choice(["", "a", "b", "c"]),
                contact_id=rng.choice([None, 1, 2, 3]),
                properties={
                    "attention_ratio": rng.choice([1.0, 1.5]),
                    "percent_watched": rng.choice([50, 90]),
                    "webinar_type": rng.choice(["industry", "product"]),
                },
                content_stage=rng.choice(["", "problem", "solution"]),
                duration_seconds=rng.choice([None, 60.0, 600.0]) if name == "session_started" else None,
            )
        )
    return events


def incremental(arrivals: list[list[ScoringEvent]], until_after, gap: int) -> State:
    """What the service does: each batch continues from the stored state with LOOKBACK of context, and a
    batch holding an event older than the state's moment replays everything known so far."""
    state: State | None = None
    known: list[ScoringEvent] = []
    for batch in arrivals:
        known.extend(batch)
        ordered = sorted(known, key=lambda e: e.order)
        fresh = sorted(batch, key=lambda e: e.order)
        # Runs fall at or after the newest event known, sometimes days later (decay applied in between).
        until = max(e.at for e in known) + timedelta(hours=gap)
        if not continues(state, fresh[0].at):
            state = replay(ordered, CONFIG, until).state
            continue
        context = [e for e in ordered if e.order <= state.last_order and e.at >= fresh[0].at - LOOKBACK]
        state = replay(fresh, CONFIG, until, state=state, context=context).state
    return replay([], CONFIG, until_after, state=state).state


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    cuts=st.lists(st.integers(1, 29), max_size=5),
    shuffle=st.booleans(),
    gap=st.integers(0, 24 * 20),
)
def test_incremental_scoring_in_any_arrival_order_equals_a_replay(seed, cuts, shuffle, gap):
    events = random_history(seed)
    arrival = sorted(events, key=lambda e: e.order)  # in order: every batch continues the state
    if shuffle:
        random.Random(seed).shuffle(arrival)
    bounds = sorted({c for c in cuts if c < len(arrival)})
    batches = [arrival[a:b] for a, b in zip([0, *bounds], [*bounds, len(arrival)], strict=True)]
    until = max(e.at for e in events) + timedelta(days=30)
    expected = replay(sorted(events, key=lambda e: e.order), CONFIG, until).state
    got = incremental([b for b in batches if b], until, gap)
    assert (got.score, got.last_engagement_at, got.next_decay_at, got.last_order) == (
        expected.score,
        expected.last_engagement_at,
        expected.next_decay_at,
        expected.last_order,
    )
