"""companies/<external_id>/journey/: the contract of DESIGN §11, as of a day."""

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command

from milestones.models import CompanyProgress
from tests.factories import CompanyFactory, ContactFactory, EventFactory, EventTypeFactory
from tests.milestones.helpers import add_events, add_metric, on

pytestmark = pytest.mark.django_db

URL = "/api/v1/companies/{}/journey/"


@pytest.fixture
def alpha(methodology, csm):
    """A customer since 2026-01-05 who met Lead Generation's checklist on 2026-02-25 (the day the conversion
    rate reached 15%), has half of Email Marketing's, and asked for a demo on 2026-03-10."""
    company = CompanyFactory(external_id="alpha", csm=csm, customer_since=date(2026, 1, 5))
    add_events(company, "tracking_code_installed", "2026-01-10")
    add_events(company, "landing_page_published", "2026-01-12")
    for offset in range(19):  # 3 leads a day from 2026-01-20 to 2026-02-07: 57 leads
        add_events(company, "lead_created", (date(2026, 1, 20) + timedelta(days=offset)).isoformat(), 3)
    for day in ("2026-02-10", "2026-02-12", "2026-02-14"):
        add_events(company, "lead_qualified", day)
    add_metric(company, "landing_page_conversion_rate", "2026-02-01", 0.12)
    add_metric(company, "landing_page_conversion_rate", "2026-02-25", 0.18)
    add_events(company, "email_campaign_sent", "2026-03-05")
    add_metric(company, "email_open_rate", "2026-03-06", 0.22)
    EventFactory(
        company=company,
        type=EventTypeFactory(name="demo_requested"),
        contact=ContactFactory(company=company),
        occurred_at=on("2026-03-10", 15),
    )
    call_command("assess_milestones", "--as-of", "2026-03-14", stdout=io.StringIO())
    return company


def journey(client, as_of: str, external_id: str = "alpha") -> dict:
    response = client.get(URL.format(external_id), {"as_of": as_of})
    assert response.status_code == 200, response.json()
    return response.json()


def criteria(body: dict, key: str) -> list[tuple]:
    milestone = next(m for m in body["milestones"] if m["key"] == key)
    return [(c["label"], c["value"], c["threshold"], c["met"]) for c in milestone["criteria"]]


def test_the_contract(csm_api, alpha):
    body = journey(csm_api, "2026-03-14")
    shown_elsewhere = ("milestones", "recommended_resources", "explanation")
    assert {key: body[key] for key in body if key not in shown_elsewhere} == {
        "company": "alpha",
        "as_of": "2026-03-14",
        "score": 6.0,  # the demo request raised it to Evaluation's floor
        "stage": "evaluation",
        "position": 1,
        "current_milestone": {"key": "email-marketing", "name": "Email Marketing"},
        "days_at_position": 17,  # since 2026-02-25
        "health": 22,  # 60 × 3/30 active days + 40 × 2/5 key actions
        "open_ctas": [],
    }
    first = body["milestones"][0]
    assert (first["key"], first["name"], first["phase"], first["achieved_on"]) == (
        "lead-generation",
        "Lead Generation",
        "prove-the-channel",
        "2026-02-25",
    )
    assert criteria(body, "lead-generation") == [
        ("Tracking code installed: 1 or more", 1, 1, True),
        ("Landing pages published: 1 or more", 1, 1, True),
        ("Landing page conversion rate: 15% or more", 0.18, 0.15, True),
        ("Leads created: 50 or more", 57, 50, True),
        ("Qualified leads: 3 or more", 3, 3, True),
    ]
    assert criteria(body, "email-marketing") == [
        ("Email campaigns sent: 2 or more", 1, 2, False),
        ("Email open rate: 20% or more", 0.22, 0.2, True),
    ]
    # A window counts the trailing days only; a ratio under its minimum denominator does not hold.
    assert criteria(body, "crm-integration")[1] == ("Qualified leads in 30 days: 10 or more", 1, 10, False)
    assert criteria(body, "lead-scoring") == [
        (
            "Qualified leads out of leads created in 90 days: 15% or more (with 100 or more leads created)",
            3 / 57,
            0.15,
            False,
        )
    ]
    assert criteria(body, "content-traffic")[1] == ("Monthly visits: 1,000 or more", None, 1000, False)
    assert [(r["title"], r["reason"]) for r in body["recommended_resources"]] == [
        ("Email marketing for small lists", "milestone"),
        ("Email templates that get opened", "milestone"),
        ("Case studies by vertical", "stage"),
        ("Integration guide", "stage"),
        ("Waypoint compared with the status quo", "stage"),
    ]
    assert body["recommended_resources"][0] == {
        "title": "Email marketing for small lists",
        "url": "https://academy.waypoint.example/email-for-small-lists",
        "kind": "guide",
        "reason": "milestone",
    }


def test_the_explanation_gives_the_steps_and_what_would_move_it_next(csm_api, alpha):
    explanation = journey(csm_api, "2026-03-14")["explanation"]
    assert explanation["steps_total"] == 1
    assert explanation["steps"] == [STEP]
    assert explanation["next_decay"] == {"at": "2026-03-17T15:00:00Z", "score": 5.0}
    assert explanation["last_engagement_at"] == "2026-03-10T15:00:00Z"
    moves = explanation["next_moves"]
    assert moves and all(move["stage"] == "ready_to_buy" for move in moves[:2])
    assert {"action", "events_needed", "score", "stage"} == set(moves[0])


STEP = {
    "at": "2026-03-10T15:00:00Z",
    "cause": "event",
    "event": "demo_requested",
    "rule": "demo_requested",
    "points": 1.0,  # the hand-raise's own points…
    "bonuses": [],
    "applied": 1.0,
    "ceiling": None,
    "floor": 6.0,  # …then its trigger raised the score to Evaluation's floor
    "trigger": "Demo or trial requested",
    "score": 6.0,
    "stage": "evaluation",
}


def test_steps_are_the_latest_n_or_all(csm_api, alpha):
    for day in ("2026-03-11", "2026-03-12", "2026-03-13"):
        add_events(alpha, "blog_viewed", day)
    body = csm_api.get(URL.format("alpha"), {"as_of": "2026-03-14", "steps": "2"}).json()["explanation"]
    assert body["steps_total"] == 4 and len(body["steps"]) == 2
    assert [step["at"][:10] for step in body["steps"]] == ["2026-03-13", "2026-03-12"]  # most recent first
    every = csm_api.get(URL.format("alpha"), {"as_of": "2026-03-14", "steps": "all"}).json()["explanation"]
    assert len(every["steps"]) == 4
    assert csm_api.get(URL.format("alpha"), {"steps": "many"}).status_code == 400


def test_health_is_the_daily_assessments(csm_api, alpha):
    assert journey(csm_api, "2026-03-14")["health"] == CompanyProgress.objects.get(company=alpha).health


def test_an_earlier_day_knows_nothing_of_what_came_after(csm_api, alpha):
    body = journey(csm_api, "2026-02-20")
    assert (body["score"], body["stage"], body["position"], body["days_at_position"], body["health"]) == (
        0.0,
        "target",
        0,
        46,  # since customer_since
        48,  # 60 × 20/30 + 40 × 1/5
    )
    assert body["current_milestone"] == {"key": "lead-generation", "name": "Lead Generation"}
    assert [m["achieved_on"] for m in body["milestones"]] == [None] * len(body["milestones"])
    assert criteria(body, "lead-generation")[2] == (
        "Landing page conversion rate: 15% or more",
        0.12,
        0.15,
        False,
    )
    assert body["recommended_resources"][0]["title"] == "Install the tracking code"


def test_the_checklist_holds_first_on_the_day_achieved(csm_api, alpha):
    """The values agree with the assessment: all criteria hold together first on the achievement day."""
    met = {
        day: all(c["met"] for c in journey(csm_api, day)["milestones"][0]["criteria"])
        for day in ("2026-02-24", "2026-02-25")
    }
    assert met == {"2026-02-24": False, "2026-02-25": True}


def test_the_score_decays_with_the_days(csm_api, alpha):
    body = journey(csm_api, "2026-03-20")  # a week after the demo request, without engagement
    assert (body["score"], body["stage"]) == (5.0, "solution")


def test_a_churned_company_keeps_its_position_and_has_no_health(csm_api, alpha):
    alpha.lifecycle, alpha.churned_on = "churned", date(2026, 3, 1)
    alpha.save()
    body = journey(csm_api, "2026-03-14")
    assert (body["position"], body["days_at_position"], body["health"]) == (1, 4, None)


def test_a_prospect_is_not_on_the_customer_journey(csm_api, methodology, csm):
    CompanyFactory(external_id="lead.co", csm=csm, lifecycle="prospect", customer_since=None)
    body = journey(csm_api, "2026-03-14", "lead.co")
    assert (body["score"], body["stage"], body["position"], body["current_milestone"]) == (
        0.0,
        "target",
        0,
        None,
    )
    assert (body["days_at_position"], body["health"]) == (None, None)
    assert {r["reason"] for r in body["recommended_resources"]} == {"stage"}


def test_without_as_of_it_is_now(csm_api, alpha):
    from core.days import today

    assert csm_api.get(URL.format("alpha")).json()["as_of"] == today().isoformat()


def test_bad_dates_are_400s(csm_api, alpha):
    response = csm_api.get(URL.format("alpha"), {"as_of": "2026-02-30"})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "as_of": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]
    }
    response = csm_api.get(URL.format("alpha"), {"as_of": "2999-01-01"})
    assert response.json()["errors"] == {"as_of": ["as_of cannot be in the future."]}


def test_another_csms_company_is_a_404(other_csm_api, alpha):
    response = other_csm_api.get(URL.format("alpha"), {"as_of": "2026-03-14"})
    assert response.status_code == 404


def test_a_fixed_number_of_queries(csm_api, alpha, django_assert_max_num_queries):
    """Whatever the number of milestones, criteria and events: the scoring rules, one replay, one count of
    every criterion, the latest metrics, health, the resources, and the open CTAs with their tasks."""
    journey(csm_api, "2026-03-14")  # warm: the token's last use
    with django_assert_max_num_queries(25):
        journey(csm_api, "2026-03-14")
