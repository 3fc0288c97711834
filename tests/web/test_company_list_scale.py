"""The company lists built for 100,000 companies: pages load their rows by id and stay in a total order,
counts are estimated (whole table) or capped (filtered), filter values come from a cache, the CSM filter
takes a username, and search is served by trigram indexes on PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from companies.models import Company
from companies.selectors import company_filter_values
from core import pagination
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("defer_from", [0, 1_000], ids=["by id", "plain"])
def test_pages_walk_every_company_once_in_name_then_id_order(client, manager, monkeypatch, defer_from):
    monkeypatch.setattr(pagination, "DEFER_FROM", defer_from)  # 0: every page loads its rows by id
    for index in range(60):
        CompanyFactory(name=f"Twin {index % 3}", mrr=Decimal(index % 7))
    client.force_login(manager)
    seen = []
    for number in (1, 2, 3):
        page = client.get(reverse("web:company_list"), {"page": number}).context["page_obj"]
        seen += [(company.name, company.pk) for company in page]
    assert seen == sorted(seen) and len(set(seen)) == 60
    by_mrr = []
    for number in (1, 2, 3):
        page = client.get(reverse("web:company_list"), {"ordering": "-mrr", "page": number}).context[
            "page_obj"
        ]
        by_mrr += [(company.mrr, company.pk) for company in page]
    assert by_mrr == sorted(by_mrr, reverse=True) and len(set(by_mrr)) == 60


def test_a_filtered_count_stops_at_the_cap_and_says_so(client, manager, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 30)
    CompanyFactory.create_batch(40, plan="Business")
    client.force_login(manager)
    response = client.get(reverse("web:company_list"), {"plan": "Business"})
    paginator = response.context["page_obj"].paginator
    assert (paginator.count, paginator.capped, paginator.num_pages) == (30, True, 2)
    assert "of 30+ (narrow the list to see further)" in response.content.decode()
    assert (
        client.get(reverse("web:company_list"), {"plan": "Business", "page": 9}).context["page_obj"].number
        == 2
    )


def test_the_whole_table_takes_the_estimate_on_postgresql(client, manager, monkeypatch):
    CompanyFactory.create_batch(3)
    if connection.vendor != "postgresql":
        pytest.skip("pg_class estimates are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE companies_company")
    monkeypatch.setattr(pagination, "ESTIMATE_FROM", 1)
    client.force_login(manager)
    paginator = client.get(reverse("web:company_list")).context["page_obj"].paginator
    assert paginator.estimated and paginator.count == 3
    filtered = client.get(reverse("web:company_list"), {"plan": "Pro"}).context["page_obj"].paginator
    assert not filtered.estimated  # a filtered list is counted


def test_filter_values_are_cached_and_the_csm_filter_takes_a_username(client, manager, csm, other_csm):
    CompanyFactory(name="Alpha", segment="SMB", plan="Pro", csm=csm)
    CompanyFactory(name="Gamma", segment="Enterprise", plan="Scale", csm=other_csm)
    client.force_login(manager)
    page = client.get(reverse("web:company_list")).content.decode()
    assert '<option value="Enterprise">' in page and '<option value="Scale">' in page
    assert '<option value="alice">Alice Costa</option>' in page  # the CSM suggestions
    CompanyFactory(segment="Public sector")
    assert "Public sector" not in company_filter_values().segments  # until the cache lapses
    bob = client.get(reverse("web:company_list"), {"csm": "bob"}).content.decode()
    assert "Gamma" in bob and "Alpha" not in bob


def test_search_uses_the_trigram_index_on_postgresql(manager):
    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's")
    from companies.selectors import companies_search

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a tiny table: make the planner show what it can use
        sql, params = companies_search(Company.objects.order_by(), "Silver Anal").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "company_name_trgm" in plan and "company_domain_trgm" in plan


def test_the_lists_are_a_constant_number_of_queries(client, manager, csm, django_assert_max_num_queries):
    CompanyFactory.create_batch(30, csm=csm)
    client.force_login(manager)
    client.get(reverse("web:company_list"))  # fills the filter caches
    for params in (
        {},
        {"q": "Company", "stuck": "true", "ordering": "-mrr"},
        {"page": "2"},
        {"csm": "alice"},
    ):
        with django_assert_max_num_queries(9):
            assert client.get(reverse("web:company_list"), params).status_code == 200
    client.force_login(csm)
    with django_assert_max_num_queries(9):
        client.get(reverse("web:company_list"))


def test_the_admin_company_list_searches_and_filters_without_scans(
    client, admin_user, django_assert_max_num_queries
):
    CompanyFactory(name="Silver Analytics", external_id="silver-1", segment="SMB")
    CompanyFactory(name="Red Foods", external_id="red-1", segment="Enterprise")
    client.force_login(admin_user)
    url = reverse("admin:companies_company_changelist")
    client.get(url)
    with django_assert_max_num_queries(12):
        page = client.get(url, {"q": "silver anal"}).content.decode()
    assert "Silver Analytics" in page and "Red Foods" not in page
    assert "Red Foods" in client.get(url, {"q": "red-1"}).content.decode()  # the external id, exactly
    filtered = client.get(url, {"segment": "Enterprise"}).content.decode()
    assert "Red Foods" in filtered and "Silver Analytics" not in filtered


def test_an_invalid_filter_is_reported_and_the_list_is_counted(client, manager, monkeypatch):
    monkeypatch.setattr(pagination, "ESTIMATE_FROM", 1)  # the whole table would take the estimate
    CompanyFactory.create_batch(3)
    client.force_login(manager)
    response = client.get(reverse("web:company_list"), {"segment": "<script>", "page": "x"})
    paginator = response.context["page_obj"].paginator
    assert response.status_code == 200 and (paginator.count, paginator.estimated) == (3, False)
    assert 'class="errorlist"' in response.content.decode()
