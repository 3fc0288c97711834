"""The REST API and the pages against odd ids, odd moments, other users' ids and a database that cannot
answer (issue scenarios 5–9): a clear 4xx or a 503, never a 500, and nothing revealed about other CSMs'
companies."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.db import OperationalError, transaction
from django.urls import reverse

from companies.models import Company, Contact, Event
from ingestion.services.api_events import EventItem, events_record
from tests.factories import CompanyFactory, ContactFactory, EventFactory, EventTypeFactory

pytestmark = pytest.mark.django_db


def post(client, url: str, body):
    return client.post(url, json.dumps(body), content_type="application/json")


# --- One id rule, every id reachable -------------------------------------------------------------------------

ACCEPTED = ["acme corp", "100%", "who?", "#1", "Ação", "日本", "a.b", "..a", "a..", "  padded  "]
REFUSED = ["a/b", ".", "..", "a\tb", "a\x7fb", "x" * 256]


@pytest.mark.parametrize("external_id", ACCEPTED)
def test_every_accepted_id_is_reachable_by_its_page_and_api_urls(manager_api, client, manager, external_id):
    response = post(manager_api, "/api/v1/companies/", {"external_id": external_id, "name": "X"})
    assert response.status_code == 201, response.content
    company = Company.objects.get()
    assert company.external_id == external_id.strip()  # surrounding spaces are trimmed at every way in
    client.force_login(manager)
    for name in ("web:company_detail", "web:company_events", "web:company_journey"):
        assert client.get(reverse(name, args=[company.external_id])).status_code == 200
    detail = reverse("api:company-detail", args=[company.external_id])
    assert manager_api.get(detail).status_code == 200
    assert manager_api.get(detail + "journey/").status_code == 200
    assert client.get(reverse("web:company_list")).status_code == 200  # links to every company render


@pytest.mark.parametrize("external_id", REFUSED)
def test_ids_no_url_can_hold_are_refused_by_the_api_and_admin(manager_api, admin_user, client, external_id):
    response = post(manager_api, "/api/v1/companies/", {"external_id": external_id, "name": "X"})
    assert response.status_code == 400 and "external_id" in response.json()["errors"]
    client.force_login(admin_user)
    form = {"name": "X", "external_id": external_id, "lifecycle": "prospect", "mrr": "0"}
    form.update({f"contacts-{key}": value for key, value in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0}.items()})
    page = client.post(reverse("admin:companies_company_add"), form)
    assert page.status_code == 200 and not Company.objects.exists()  # the form again, with the error


def test_a_nul_in_a_url_is_a_404_and_in_a_query_string_a_400(client, manager_api, manager):
    CompanyFactory(external_id="acme")
    client.force_login(manager)
    assert client.get("/companies/a%00b/").status_code == 404
    assert manager_api.get("/api/v1/companies/a%00b/").status_code == 404
    assert manager_api.get("/api/v1/companies/a%00b/journey/").status_code == 404
    assert client.get("/companies/acme/events/?type=a%00b").status_code == 400
    assert manager_api.get("/api/v1/companies/?search=a%00b").status_code == 400
    assert client.get("/admin/companies/company/?q=a%00b").status_code == 400


def test_a_nul_in_a_named_csm_or_company_is_a_400_not_a_500(manager_api, csm):
    CompanyFactory(external_id="acme")
    body = {"external_id": "x", "name": "X", "csm": "al\x00ice"}
    response = post(manager_api, "/api/v1/companies/", body)
    assert response.status_code == 400
    assert response.json()["errors"] == {"csm": ["Null characters are not allowed."]}
    response = post(manager_api, "/api/v1/contacts/", {"email": "ana@acme.example", "company": "ac\x00me"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"company": ["Null characters are not allowed."]}
    assert not Contact.objects.exists() and Company.objects.count() == 1


# --- Moments -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", ["0001-01-01", "1999-12-31"])
def test_an_as_of_before_the_earliest_day_is_a_400(csm_api, csm, as_of):
    CompanyFactory(external_id="acme", csm=csm)
    response = csm_api.get(f"/api/v1/companies/acme/journey/?as_of={as_of}")
    assert response.status_code == 400
    assert response.json()["errors"]["as_of"] == ["Waypoint keeps data from 2000-01-01 on."]


@pytest.mark.parametrize(
    "stamp", ["0001-01-01T00:00:00-03:00", "1900-01-01T00:00:00Z", "1970-01-01T00:00:00Z"]
)
def test_events_before_the_earliest_day_are_refused(csm_api, csm, stamp):
    CompanyFactory(external_id="acme", csm=csm)
    response = post(csm_api, "/api/v1/events/", {"company": "acme", "event": "x", "timestamp": stamp})
    assert response.status_code == 400 and "timestamp" in response.json()["errors"]
    assert not Event.objects.exists()


def test_metric_days_and_customer_dates_before_the_earliest_day_are_refused(manager_api):
    CompanyFactory(external_id="acme")
    metric = {"company": "acme", "metric": "m", "value": 1, "date": "1999-12-31"}
    assert post(manager_api, "/api/v1/metrics/", metric).status_code == 400
    company = {"external_id": "b", "name": "B", "lifecycle": "customer", "customer_since": "1970-01-01"}
    assert post(manager_api, "/api/v1/companies/", company).status_code == 400


def test_the_earliest_stored_moment_shows_in_any_time_zone(client, manager, manager_api, settings):
    settings.TIME_ZONE = (
        "America/Sao_Paulo"  # west of UTC: the first moment kept is still on 1999-12-31 there
    )
    company = CompanyFactory(external_id="acme")
    EventFactory(company=company, occurred_at=datetime(2000, 1, 1, tzinfo=UTC))
    client.force_login(manager)
    assert client.get("/companies/acme/events/").status_code == 200
    assert client.get("/companies/acme/").status_code == 200
    assert manager_api.get("/api/v1/events/?company=acme").status_code == 200


# --- Other users' ids --------------------------------------------------------------------------------------


def test_message_ids_are_each_users_own(csm_api, other_csm_api, csm, other_csm):
    CompanyFactory(external_id="alpha", csm=csm)
    CompanyFactory(external_id="gamma", csm=other_csm)
    first = post(csm_api, "/api/v1/events/", {"message_id": "M", "company": "alpha", "event": "x"})
    second = post(other_csm_api, "/api/v1/events/", {"message_id": "M", "company": "gamma", "event": "x"})
    assert (first.json()["stored"], second.json()["stored"]) == (1, 1)  # neither suppressed nor told
    assert Event.objects.count() == 2
    again = post(csm_api, "/api/v1/events/", {"message_id": "M", "company": "alpha", "event": "x"})
    assert again.status_code == 200 and again.json()["duplicates"] == 1  # a user's own retry still dedupes


def test_an_event_cannot_name_another_companys_contact(csm_api, csm, other_csm):
    CompanyFactory(external_id="alpha", csm=csm)
    ContactFactory(company=CompanyFactory(external_id="gamma", csm=other_csm), external_id="u-b")
    body = {"company": "alpha", "event": "x", "contact": "u-b"}
    response = post(csm_api, "/api/v1/events/", body)
    assert response.status_code == 400 and "contact" in response.json()["errors"]
    assert not Event.objects.exists()
    assert Contact.objects.get(external_id="u-b").company.external_id == "gamma"


def test_an_unknown_contact_is_created_at_the_events_company(csm_api, csm):
    alpha = CompanyFactory(external_id="alpha", csm=csm)
    assert (
        post(csm_api, "/api/v1/events/", {"company": "alpha", "event": "x", "contact": "u-new"}).status_code
        == 201
    )
    assert Contact.objects.get(external_id="u-new").company == alpha
    assert Event.objects.get().contact.external_id == "u-new"


def test_a_contact_address_used_at_another_company_reveals_nothing(csm_api, csm, other_csm):
    CompanyFactory(external_id="alpha", csm=csm)
    ContactFactory(company=CompanyFactory(external_id="gamma", csm=other_csm), email="Ana@Example.com")
    response = post(csm_api, "/api/v1/contacts/", {"company": "alpha", "email": "ana@example.com"})
    assert response.status_code == 201  # as for an address nobody has
    again = post(csm_api, "/api/v1/contacts/", {"company": "alpha", "email": "ANA@example.com"})
    assert again.status_code == 400  # unique within the company


# --- The database cannot answer ------------------------------------------------------------------------------


def test_the_api_answers_503_json_when_the_database_is_down(csm_api, csm):
    CompanyFactory(external_id="alpha", csm=csm)
    with mock.patch("ingestion.services.api_events.events_store", side_effect=OperationalError("gone")):
        response = post(csm_api, "/api/v1/events/", {"company": "alpha", "event": "x"})
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert response.json() == {"code": "unavailable", "message": "The database is unavailable; retry later."}
    assert not Event.objects.exists()
    with mock.patch("web.api.views.company_list", side_effect=OperationalError("gone")):
        assert csm_api.get("/api/v1/companies/").status_code == 503


def test_a_page_answers_503_when_the_database_is_down(client, csm):
    client.force_login(csm)
    client.raise_request_exception = False
    with mock.patch("web.pages.companies.companies_visible", side_effect=OperationalError("gone")):
        response = client.get("/companies/")
    assert response.status_code == 503 and response["Retry-After"] == "10"


@pytest.mark.django_db(transaction=True)
def test_entry_transactions_refuse_to_be_nested(csm):
    """A service that promises 2xx only after its commit cannot run inside someone else's transaction."""
    alpha = CompanyFactory(external_id="alpha", csm=csm)
    EventTypeFactory()
    item = EventItem(alpha.pk, "x", datetime(2026, 3, 2, tzinfo=UTC), "m-1")
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        events_record(user=csm, items=[item])
    assert not Event.objects.exists()
