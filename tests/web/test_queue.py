from datetime import date

import pytest
from django.urls import reverse

from milestones.models import CTARule
from tests.factories import CompanyFactory
from tests.milestones.helpers import add_events, assess, count, milestone

pytestmark = pytest.mark.django_db


@pytest.fixture
def stuck_and_not(csm, other_csm):
    milestone("first", count("a", 1), order=1)
    second = milestone("second", count("b", 1), order=2)
    CTARule.objects.create(name="stuck at the second", milestone=second, min_days_at_position=30)
    long_stuck = CompanyFactory(name="Long Stuck", csm=csm, customer_since=date(2026, 1, 5))
    recently_stuck = CompanyFactory(name="Recently Stuck", csm=csm, customer_since=date(2026, 1, 5))
    moving = CompanyFactory(name="Moving Along", csm=csm, customer_since=date(2026, 1, 5))
    theirs = CompanyFactory(name="Someone Else's", csm=other_csm, customer_since=date(2026, 1, 5))
    add_events(long_stuck, "a", "2026-01-10")
    add_events(recently_stuck, "a", "2026-02-01")
    add_events(moving, "a", "2026-03-20")
    add_events(theirs, "a", "2026-01-10")
    assess("2026-04-01")


def test_the_queue_lists_my_stuck_accounts_longest_stuck_first(client, csm, stuck_and_not):
    client.force_login(csm)
    response = client.get(reverse("web:queue"))
    page = response.content.decode()
    assert [p.company.name for p in response.context["page_obj"]] == ["Long Stuck", "Recently Stuck"]
    assert "Moving Along" not in page and "Someone Else's" not in page
    assert "Feb 10, 2026" in page  # 2026-01-10 + 30 days + 1: stuck since
    assert "81" in page  # days at the milestone on 2026-04-01


def test_the_queue_is_a_constant_number_of_queries(client, csm, stuck_and_not, django_assert_max_num_queries):
    client.force_login(csm)
    with django_assert_max_num_queries(10):
        client.get(reverse("web:queue"))


def test_the_queue_is_for_csms(client, manager):
    client.force_login(manager)
    assert client.get(reverse("web:queue")).status_code == 403


def test_an_empty_queue_says_so(client, csm):
    client.force_login(csm)
    assert b"No stuck accounts." in client.get(reverse("web:queue")).content


def test_the_funnel_shows_reached_working_on_stuck_and_the_bottleneck(client, manager, stuck_and_not):
    client.force_login(manager)
    response = client.get(reverse("web:funnel"))
    funnel = response.context["view"]
    assert funnel.as_of == date(2026, 4, 1)  # the last assessed day
    assert [(milestone.key, row.reached, row.at, row.stuck) for milestone, row in funnel.rows] == [
        ("first", 4, 0, 0),
        ("second", 0, 4, 3),
    ]
    assert funnel.bottleneck[0].key == "second"


def test_the_company_list_shows_milestone_health_and_filters_stuck(client, manager, stuck_and_not):
    client.force_login(manager)
    page = client.get(reverse("web:company_list"), {"stuck": "true"})
    names = [company.name for company in page.context["page_obj"]]
    assert sorted(names) == ["Long Stuck", "Recently Stuck", "Someone Else's"]
    assert "stuck</span>" in page.content.decode()
