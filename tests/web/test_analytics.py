"""The analytics pages, their CSV exports and GET /api/v1/funnel/ on the hand-built population
(tests/funnel/population.py): the same numbers everywhere, filters that refuse unknown values, CSV cells
that a spreadsheet will not run, and the query counts of the pages."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from funnel.models import Release
from funnel.services import snapshots_build
from tests.funnel.population import DAY, PAST
from web.analytics import csv_cell

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(population):
    snapshots_build(first=PAST, last=DAY)
    return population


def rows_of(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize(
    "query", ["", "segment=SMB", "as_of=2026-03-15", "csm=alice", "plan=Pro&cohort=2026-01"]
)
def test_page_csv_and_api_agree(client, manager, built, query):
    client.force_login(manager)
    page = client.get(reverse("web:funnel") + "?" + query)
    assert page.status_code == 200
    api = client.get("/api/v1/funnel/?" + query).json()
    table = rows_of(client.get(reverse("web:funnel_csv", args=["milestones"]) + "?" + query))
    assert [r["key"] for r in table] == [m["key"] for m in api["milestones"]] == ["m1", "m2", "m3"]
    for row, item in zip(table, api["milestones"], strict=True):
        for name in ("reached", "at", "stuck", "churned", "median_days", "p80_days"):
            assert (row[name] or None) == (str(item[name]) if item[name] is not None else None), name
        assert (float(row["conversion"]) if row["conversion"] else None) == item["conversion"]
    figures = [(f.reached, f.at, f.stuck) for _, f in page.context["view"].rows]
    assert figures == [(m["reached"], m["at"], m["stuck"]) for m in api["milestones"]]
    assert page.context["view"].customers == api["total"]


def test_api_contract_on_the_day(client, manager, built):
    client.force_login(manager)
    body = client.get("/api/v1/funnel/").json()
    assert body["as_of"] == DAY.isoformat() and body["total"] == 6 and body["bottleneck"] == "m2"
    assert body["milestones"][0] == {
        "key": "m1", "name": "Milestone 1", "reached": 4, "at": 2, "conversion": 0.667, "median_days": 20,
        "p80_days": 30, "timed": 5, "stuck": 1, "churned": 1, "churn_rate": 0.333, "mean_health": None,
        "health_count": 0,
    }  # fmt: skip


def test_unknown_filters_are_a_clear_error(client, manager, built):
    client.force_login(manager)
    page = client.get(reverse("web:funnel") + "?segment=Nope&cohort=2026-13&csm=zed&as_of=tomorrow")
    assert page.status_code == 400
    text = page.content.decode()
    assert "No company has the segment" in text and "is not a month" in text
    assert "There is no CSM named" in text and "is not a day" in text
    api = client.get("/api/v1/funnel/?plan=Gold")
    assert api.status_code == 404 and api.json()["message"] == "No company has the plan 'Gold'."
    for cohort in ("2026-13", "0000-01", "March"):
        api = client.get(f"/api/v1/funnel/?cohort={cohort}")
        assert api.status_code == 400 and api.json()["code"] == "invalid"
    assert client.get("/api/v1/funnel/?cohort=9999-12").status_code == 200  # the last month there is
    assert client.get(reverse("web:company_list") + "?cohort=9999-12").status_code == 200
    assert client.get("/api/v1/funnel/?as_of=").status_code == 400  # the API is strict: no silent default
    assert client.get(reverse("web:funnel") + "?as_of=").status_code == 200  # a page's empty field
    assert client.get(reverse("web:funnel_csv", args=["milestones"]) + "?plan=Gold").status_code == 400


def test_csms_may_not_see_the_analytics(client, csm, built):
    client.force_login(csm)
    assert client.get(reverse("web:funnel")).status_code == 403
    assert client.get(reverse("web:funnel_trends")).status_code == 403
    assert client.get("/api/v1/funnel/").status_code == 403


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("plain", "plain"), (-3, "-3"), (0.5, "0.5"), (None, "")],
)  # fmt: skip
def test_csv_cells_are_not_formulas(value, cell):
    assert csv_cell(value) == cell


def test_csv_export_escapes_names(client, manager, built):
    m1 = built.milestones[0]
    m1.name = '=HYPERLINK("http://x")'
    m1.save()
    client.force_login(manager)
    response = client.get(reverse("web:funnel_csv", args=["milestones"]))
    assert response["Content-Disposition"].startswith('attachment; filename="milestones-2026-06-30')
    assert rows_of(response)[0]["name"] == '\'=HYPERLINK("http://x")'


def test_every_table_exports(client, manager, built):
    client.force_login(manager)
    for table in ("milestones", "stages", "movers", "trends", "releases", "forecast", "cta_effectiveness"):
        response = client.get(reverse("web:funnel_csv", args=[table]))
        assert response.status_code == 200, table
        assert response["Content-Type"].startswith("text/csv")
    assert client.get(reverse("web:funnel_csv", args=["nope"])).status_code == 404


def test_numbers_link_to_the_accounts_behind_them(client, manager, built):
    client.force_login(manager)
    page = client.get(reverse("web:funnel") + "?segment=SMB")
    html = page.content.decode()
    assert "stuck=true&amp;milestone=m2" in html and "segment=SMB" in html
    # The company list's filters give the same accounts (its rows come from the progress the daily run
    # writes; here, the two SMB customers working on M2 by hand).
    from milestones.models import CompanyProgress

    companies = built.companies
    for name, position, milestone in (
        ("A", 3, None),
        ("B", 2, built.milestones[2]),
        ("D", 1, built.milestones[1]),
        ("J", 0, built.milestones[0]),
    ):
        CompanyProgress.objects.create(
            company=companies[name], as_of=DAY, active=True, position=position, current_milestone=milestone,
            position_since=DAY, days_at_position=0,
        )  # fmt: skip
    listed = client.get(reverse("web:company_list") + "?segment=SMB&lifecycle=customer&reached=m2")
    assert {c.name for c in listed.context["page_obj"]} == {"Company A", "Company B"}
    listed = client.get(reverse("web:company_list") + "?milestone=m2&cohort=2026-03")
    assert {c.name for c in listed.context["page_obj"]} == {"Company D"}
    # The list says so, and keeps them when its own filters are applied again.
    assert '<input type="hidden" name="milestone" value="m2">' in listed.content.decode()
    assert client.get(reverse("web:company_list") + "?cohort=March").status_code == 200


def test_trends_mark_releases_and_test_them(client, manager, built):
    Release.objects.create(date=date(2026, 4, 1), name="Onboarding wizard", note="=cmd")
    snapshots_build(first=date(2026, 2, 1), last=DAY, forecasts=False)
    client.force_login(manager)
    page = client.get(reverse("web:funnel_trends") + "?from=2026-03-15&to=2026-06-30&window=30")
    assert page.status_code == 200
    assert page.context["chart"]["releases"] == [{"day": "2026-04-01", "name": "Onboarding wizard"}]
    rows = page.context["releases"]
    assert [r["milestone"].key for r in rows] == ["m1", "m2", "m3"]
    # M2 before (03-02…03-31): B, C, F working on it on the eve, D arrives 03-31 → 4; B reached it 03-22.
    assert (rows[1]["before"].successes, rows[1]["before"].trials) == (1, 4)
    # After (04-01…04-30): C, D working on it (F churned 04-15, still counted) → 3, none reached it.
    assert (rows[1]["after"].successes, rows[1]["after"].trials) == (0, 3)
    csv_rows = rows_of(client.get(reverse("web:funnel_csv", args=["releases"]) + "?window=30"))
    assert csv_rows[1]["before_reached"] == "1" and csv_rows[1]["before_working"] == "4"


def test_forecast_page_declines_small_groups(client, manager, built):
    client.force_login(manager)
    page = client.get(reverse("web:funnel_forecast"))
    assert page.status_code == 200
    assert "declined" in page.content.decode()
    assert all(t.expected is None for _, t, _ in page.context["rows"])


def test_buyer_funnel_page(client, manager, built):
    client.force_login(manager)
    page = client.get(reverse("web:buyer_funnel") + "?segment=SMB")
    assert page.status_code == 200


@pytest.mark.parametrize(
    ("query", "queries"), [("", 12), ("segment=SMB", 13), ("csm=alice", 16), ("as_of=2026-03-15", 12)]
)
def test_funnel_page_queries(client, manager, built, django_assert_max_num_queries, query, queries):
    """The same number of queries however many companies: snapshot rows, or a CSM's book in two queries;
    the CTA effectiveness table is one more."""
    client.force_login(manager)
    with django_assert_max_num_queries(queries):
        assert client.get(reverse("web:funnel") + "?" + query).status_code == 200


def test_analytics_pages_queries(client, manager, built, django_assert_max_num_queries):
    client.force_login(manager)
    for name, limit in (("web:buyer_funnel", 12), ("web:funnel_trends", 16), ("web:funnel_forecast", 11)):
        with django_assert_max_num_queries(limit):
            assert client.get(reverse(name)).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/funnel/").status_code == 200
