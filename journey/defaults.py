"""The five buyer-journey stages of DESIGN §3.1 (lower bounds inclusive, in hundredths)."""

from typing import Any

STAGES: list[dict[str, Any]] = [
    {
        "key": "target",
        "name": "Target",
        "order": 1,
        "min_score": 0,
        "description": "Matches the ideal customer profile, little or no engagement yet.",
    },
    {
        "key": "education",
        "name": "Education",
        "order": 2,
        "min_score": 200,
        "description": "Reads problem and industry content, subscribes, downloads explainers.",
    },
    {
        "key": "solution",
        "name": "Solution",
        "order": 3,
        "min_score": 400,
        "description": "Evaluates solutions and approaches: how-to guides, frameworks, ROI calculators.",
    },
    {
        "key": "evaluation",
        "name": "Evaluation",
        "order": 4,
        "min_score": 600,
        "description": "Compares vendors: pricing and comparison pages, case studies, several stakeholders.",
    },
    {
        "key": "ready_to_buy",
        "name": "Ready to Buy",
        "order": 5,
        "min_score": 800,
        "description": "Strong purchase intent: demos, proposals, security and legal checks, meetings.",
    },
]


# Scoring rules (DESIGN §3.2): points and ceilings in hundredths. Content only lifts a company to the top
# of the stage it belongs to: problem content to 3.99, solution content to 5.99, evaluation content to 7.99.
def rule(event, points, ceiling, kind="engagement", **extra):
    return {"event_name": event, "points": points, "ceiling": ceiling, "kind": kind, **extra}


RULES: list[dict[str, Any]] = [
    # Problem content (Education)
    rule("session_started", 10, 399),
    rule("blog_viewed", 25, 399),
    rule("report_downloaded", 50, 399),
    rule(
        "webinar_attended",
        75,
        599,
        order=10,
        property_key="webinar_type",
        property_operator="eq",
        property_value="product",
    ),  # a product webinar is solution content
    rule("webinar_attended", 50, 399),
    # Solution content
    rule("guide_downloaded", 75, 599),
    rule("roi_calculator_used", 75, 599),
    rule("features_page_viewed", 25, 599),
    # Evaluation content
    rule("pricing_page_viewed", 50, 799),
    rule("case_study_downloaded", 75, 799),
    rule("comparison_downloaded", 75, 799),
    # Hand-raises
    rule("demo_requested", 100, 799, "hand_raise"),
    rule("trial_started", 100, 799, "hand_raise"),
    rule("onboarding_doc_viewed", 50, 1000, "hand_raise"),
    rule("security_info_requested", 50, 1000, "hand_raise"),
    rule("reference_requested", 50, 1000, "hand_raise"),
    # Sales: a meeting adds exactly 1.00, no bonus, no ceiling but 10.00
    rule("sales_meeting_attended", 100, 1000, "sales"),
    # Negative signals (DESIGN §3.5)
    rule("unsubscribed", -100, 1000, "negative", decay_factor=200, decay_days=28),
    rule("competitor_visited", -50, 1000, "negative", decay_factor=150, decay_days=14),
]

ENGAGEMENT_EVENTS = [
    "session_started",
    "blog_viewed",
    "report_downloaded",
    "webinar_attended",
    "guide_downloaded",
    "roi_calculator_used",
    "features_page_viewed",
    "pricing_page_viewed",
    "case_study_downloaded",
    "comparison_downloaded",
    "demo_requested",
    "trial_started",
]


def trigger(name, events, *, stage=None, floor=None, **extra):
    return {"name": name, "event_names": events, "stage": stage, "floor": floor, **extra}


# Stage triggers (DESIGN §3.3, the seed's "What moves a lead forward").
TRIGGERS: list[dict[str, Any]] = [
    trigger("3+ blog views within 14 days", ["blog_viewed"], stage="education", min_count=3, window_days=14),
    trigger(
        "Report downloaded with an attention ratio above 1.2",
        ["report_downloaded"],
        stage="education",
        property_key="attention_ratio",
        property_operator="gt",
        property_value="1.2",
    ),
    trigger(
        "Webinar watched more than 75%",
        ["webinar_attended"],
        stage="education",
        property_key="percent_watched",
        property_operator="gt",
        property_value="75",
    ),
    trigger(
        "Guide read more than 60%",
        ["guide_downloaded"],
        stage="solution",
        property_key="completion",
        property_operator="gt",
        property_value="0.6",
    ),
    trigger("ROI calculator used", ["roi_calculator_used"], stage="solution"),
    trigger(
        "Product webinar attended",
        ["webinar_attended"],
        stage="solution",
        property_key="webinar_type",
        property_operator="eq",
        property_value="product",
    ),
    trigger(
        "2+ pricing or features views in one session",
        ["pricing_page_viewed", "features_page_viewed"],
        stage="solution",
        min_count=2,
        same_session=True,
    ),
    trigger("Demo or trial requested", ["demo_requested", "trial_started"], stage="evaluation"),
    trigger(
        "Case study or comparison downloaded",
        ["case_study_downloaded", "comparison_downloaded"],
        stage="evaluation",
    ),
    trigger(
        "3+ contacts active within 14 days",
        ENGAGEMENT_EVENTS,
        stage="evaluation",
        min_count=3,
        counting="contacts",
        window_days=14,
    ),
    trigger(
        "Pricing page viewed in 2+ sessions within 14 days",
        ["pricing_page_viewed"],
        stage="evaluation",
        min_count=2,
        counting="sessions",
        window_days=14,
    ),
    trigger(
        "Proposal or contract viewed (auto-score 9.00)", ["proposal_viewed", "contract_viewed"], floor=900
    ),
    trigger(
        "Onboarding, security or references requested",
        ["onboarding_doc_viewed", "security_info_requested", "reference_requested"],
        stage="ready_to_buy",
    ),
]
