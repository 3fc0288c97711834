"""CTA effectiveness on a hand-built population, as of 2026-06-30 (milestone M, rule "Stuck at M", type Review):

company  CTA                                         day    M achieved   counts
c1       done (twice: 03-01 and 04-01)               03-01  03-11 (+10)  moved at 30/60/90, once
c2       done                                        03-01  04-15 (+45)  moved at 60/90
c3       done                                        03-01  03-31 (+30)  moved at 30 (the boundary)
c6       done                                        05-15  05-20 (+5)   30 only: younger than 60 days
c8       done                                        03-01  02-01        excluded: had M already
c4       not needed                                  03-01  05-30 (+90)  moved at 90
c5       snoozed on 03-01 (recorded), still snoozed  03-01  —            never moved
c9       closed as milestone achieved, never snoozed —      —            in neither group
c7       by hand, type Call,     done                03-01  03-05 (+4)   "By hand" (segment Enterprise)
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from ctas.models import CTA, CTAChange
from funnel.effectiveness import BY_HAND, DONE, NOT_ACTED, cta_effectiveness
from funnel.members import AnalyticsFilter
from milestones.models import CTARule, CTAType
from tests.factories import AchievementFactory, CompanyFactory, MilestoneFactory, PhaseFactory

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 6, 30)


def d(month: int, day: int) -> date:
    return date(2026, month, day)


@pytest.fixture
def ctas(db):
    phase = PhaseFactory(key="prove", name="Prove", order=1)
    milestone = MilestoneFactory(phase=phase, order=1, key="m", name="Milestone M")
    ebr = CTAType.objects.create(slug="t-review", name="Review")
    check_in = CTAType.objects.create(slug="t-call", name="Call")
    rule = CTARule.objects.create(
        name="Stuck at M", milestone=milestone, min_days_at_position=30, cta_type=ebr
    )
    companies = {}

    def company(name, achieved=None, segment="SMB"):
        c = CompanyFactory(external_id=name, name=name, segment=segment, customer_since=d(1, 1))
        if achieved:
            AchievementFactory(company=c, milestone=milestone, achieved_on=achieved)
        companies[name] = c
        return c

    def cta(c, *, outcome="", closed_on=None, status=CTA.Status.CLOSED, by_rule=True, kind=ebr, **extra):
        return CTA.objects.create(
            company=c, rule=rule if by_rule else None, cta_type=kind, milestone=milestone, status=status,
            outcome=outcome, closed_on=closed_on, due_on=d(2, 1), created_on=d(2, 1), **extra,
        )  # fmt: skip

    c1 = company("c1", d(3, 11))
    cta(c1, outcome="done", closed_on=d(3, 1))
    cta(c1, outcome="done", closed_on=d(4, 1))
    cta(company("c2", d(4, 15)), outcome="done", closed_on=d(3, 1))
    cta(company("c3", d(3, 31)), outcome="done", closed_on=d(3, 1))
    cta(company("c6", d(5, 20)), outcome="done", closed_on=d(5, 15))
    cta(company("c8", d(2, 1)), outcome="done", closed_on=d(3, 1))
    cta(company("c4", d(5, 30)), outcome="not_needed", closed_on=d(3, 1))
    snoozed = cta(company("c5"), status=CTA.Status.SNOOZED, snoozed_until=d(9, 1))
    CTAChange.objects.create(
        cta=snoozed,
        field="status",
        from_value="open",
        to_value="snoozed",
        at=datetime(2026, 3, 1, 12, tzinfo=UTC),
    )
    cta(company("c9", d(3, 2)), outcome="milestone_achieved", closed_on=d(3, 2))
    cta(
        company("c7", d(3, 5), segment="Enterprise"),
        outcome="done",
        closed_on=d(3, 1),
        by_rule=False,
        kind=check_in,
    )
    return companies


def table(rows) -> dict:
    return {(r.name, r.group): [(c.moved, c.n) for c in r.cells] for r in rows}


EXPECTED_RULE = {
    ("Stuck at M", DONE): [(3, 4), (3, 3), (3, 3)],
    ("Stuck at M", NOT_ACTED): [(0, 2), (0, 2), (1, 2)],
    (BY_HAND, DONE): [(1, 1), (1, 1), (1, 1)],
    (BY_HAND, NOT_ACTED): [(0, 0), (0, 0), (0, 0)],
}


def test_groups_horizons_and_boundaries(ctas):
    view = cta_effectiveness(AnalyticsFilter(), AS_OF)
    assert table(view.by_rule) == EXPECTED_RULE
    assert [r.name for r in view.by_rule] == ["Stuck at M", "Stuck at M", BY_HAND, BY_HAND]  # by hand last
    assert table(view.by_type) == {
        ("Call", DONE): [(1, 1), (1, 1), (1, 1)],
        ("Call", NOT_ACTED): [(0, 0), (0, 0), (0, 0)],
        ("Review", DONE): [(3, 4), (3, 3), (3, 3)],
        ("Review", NOT_ACTED): [(0, 2), (0, 2), (1, 2)],
    }
    assert view.by_rule[0].cells[0].share == 0.75
    assert view.by_rule[3].cells[0].share is None


def test_a_past_day_and_a_filter(ctas):
    # On 04-10 only the 30-day horizon of the 03-01 CTAs has passed, and c2's achievement is still ahead.
    view = cta_effectiveness(AnalyticsFilter(segment="SMB"), d(4, 10))
    assert table(view.by_rule) == {
        ("Stuck at M", DONE): [(2, 3), (0, 0), (0, 0)],
        ("Stuck at M", NOT_ACTED): [(0, 2), (0, 0), (0, 0)],
    }


def test_one_query_however_many_ctas(ctas, django_assert_num_queries):
    with django_assert_num_queries(1):
        cta_effectiveness(AnalyticsFilter(csm_id=1, plan="Pro"), AS_OF)


def test_page_and_csv(client, manager, ctas, django_assert_max_num_queries):
    client.force_login(manager)
    # No snapshot here: the funnel is computed live (24 queries); the effectiveness table is one more.
    with django_assert_max_num_queries(25):
        page = client.get(reverse("web:funnel") + "?as_of=2026-06-30")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="cta-effect-rule"' in html and 'id="cta-effect-type"' in html
    assert "3 of 4" in html and "1 of 2" in html and BY_HAND in html
    assert '<td class="num small-group">0.75' in html  # four companies: greyed
    response = client.get(reverse("web:funnel_csv", args=["cta_effectiveness"]) + "?as_of=2026-06-30")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 2 * 4 * 3
    assert rows[0] == {
        "by": "rule", "name": "Stuck at M", "group": "done", "horizon_days": "30", "n": "4", "moved": "3",
        "share": "0.75",
    }  # fmt: skip
    assert rows[5] == {
        "by": "rule", "name": "Stuck at M", "group": "not_acted", "horizon_days": "90", "n": "2", "moved": "1",
        "share": "0.5",
    }  # fmt: skip
    assert {(r["by"], r["name"]) for r in rows} == {
        ("rule", "Stuck at M"),
        ("rule", BY_HAND),
        ("type", "Review"),
        ("type", "Call"),
    }


def test_csms_may_not_see_it(client, csm, ctas):
    client.force_login(csm)
    assert client.get(reverse("web:funnel_csv", args=["cta_effectiveness"])).status_code == 403
