"""metrics/ (upserts per company, metric and day) and contacts/ (scoped through their company)."""

from datetime import date

import pytest

from companies.models import Contact, MetricValue
from tests.factories import CompanyFactory, ContactFactory, MetricValueFactory

pytestmark = pytest.mark.django_db

METRICS = "/api/v1/metrics/"
CONTACTS = "/api/v1/contacts/"


@pytest.fixture
def companies(csm, other_csm):
    return CompanyFactory(external_id="alpha", csm=csm), CompanyFactory(external_id="gamma", csm=other_csm)


class TestMetrics:
    def test_one_value(self, csm_api, companies):
        body = {"company": "alpha", "metric": "email_open_rate", "value": 0.21, "date": "2026-03-02"}
        response = csm_api.post(METRICS, body, format="json")
        assert response.status_code == 200
        assert response.json() == {"received": 1, "stored": 1}
        stored = MetricValue.objects.get()
        assert (stored.company, stored.metric, stored.date, stored.value) == (
            companies[0],
            "email_open_rate",
            date(2026, 3, 2),
            0.21,
        )

    def test_a_day_sent_again_replaces_its_value(self, csm_api, companies):
        MetricValueFactory(company=companies[0], metric="monthly_visits", date=date(2026, 3, 2), value=900)
        metrics = [
            {"company": "alpha", "metric": "monthly_visits", "value": 1000, "date": "2026-03-02"},
            {"company": "alpha", "metric": "monthly_visits", "value": 1100, "date": "2026-03-02"},
            {"company": "alpha", "metric": "monthly_visits", "value": 1200, "date": "2026-03-03"},
        ]
        response = csm_api.post(METRICS, {"metrics": metrics}, format="json")
        assert response.json() == {"received": 3, "stored": 2}
        assert list(MetricValue.objects.order_by("date").values_list("date", "value")) == [
            (date(2026, 3, 2), 1100.0),
            (date(2026, 3, 3), 1200.0),
        ]

    def test_strict_like_events(self, csm_api, companies):
        metrics = [
            {"company": "alpha", "metric": "monthly_visits", "value": 10, "date": "2026-03-02"},
            {"company": "gamma", "metric": "monthly_visits", "value": 10, "date": "2026-03-02"},
            {"company": "alpha", "metric": "monthly_visits", "value": "NaN", "date": "2026-03-32"},
        ]
        response = csm_api.post(METRICS, {"metrics": metrics}, format="json")
        assert response.status_code == 400
        assert response.json()["message"] == "2 of 3 metrics are invalid; nothing was stored."
        assert response.json()["errors"] == {
            "metrics": {
                "1": {"company": ["No company with external id gamma."]},
                "2": {
                    "value": ["A valid number is required."],
                    "date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
                },
            }
        }
        assert not MetricValue.objects.exists()

    @pytest.mark.parametrize(
        ("field", "value", "error"),
        [
            ("value", "1.5", "A valid number is required."),
            ("value", True, "A valid number is required."),
            ("metric", 7, "Not a valid string."),
        ],
    )
    def test_values_are_numbers_and_names_strings(self, csm_api, companies, field, value, error):
        body = {
            "company": "alpha",
            "metric": "monthly_visits",
            "value": 1,
            "date": "2026-03-02",
            field: value,
        }
        response = csm_api.post(METRICS, body, format="json")
        assert response.status_code == 400
        assert response.json()["errors"] == {field: [error]}
        assert not MetricValue.objects.exists()

    def test_list_one_companys_values(self, csm_api, companies):
        alpha = companies[0]
        MetricValueFactory(company=alpha, metric="monthly_visits", date=date(2026, 3, 1), value=800)
        MetricValueFactory(company=alpha, metric="monthly_visits", date=date(2026, 3, 2), value=900)
        MetricValueFactory(company=alpha, metric="email_open_rate", date=date(2026, 3, 2), value=0.2)
        MetricValueFactory(company=companies[1])
        response = csm_api.get(METRICS, {"company": "alpha", "metric": "monthly_visits"})
        rows = [{k: v for k, v in row.items() if k != "recorded_at"} for row in response.json()["results"]]
        assert rows == [
            {"company": "alpha", "metric": "monthly_visits", "date": "2026-03-02", "value": 900.0},
            {"company": "alpha", "metric": "monthly_visits", "date": "2026-03-01", "value": 800.0},
        ]
        assert csm_api.get(METRICS, {"company": "alpha", "since": "2026-03-02"}).json()["count"] == 2
        assert csm_api.get(METRICS, {"company": "gamma"}).json()["count"] == 0
        assert csm_api.get(METRICS).json()["errors"] == {"company": ["This field is required."]}


class TestContacts:
    def test_a_csm_adds_a_contact_to_their_company(self, csm_api, companies):
        body = {
            "external_id": "u-1",
            "email": "ana@alpha.example",
            "name": "Ana",
            "title": "CMO",
            "company": "alpha",
        }
        response = csm_api.post(CONTACTS, body, format="json")
        assert response.status_code == 201
        contact = Contact.objects.get()
        assert {k: v for k, v in response.json().items() if k != "created_at"} == {"id": contact.pk, **body}

    def test_a_csm_cannot_add_to_another_csms_company_or_to_none(self, csm_api, companies):
        response = csm_api.post(CONTACTS, {"email": "x@gamma.example", "company": "gamma"}, format="json")
        assert response.json()["errors"] == {"company": ["No company with external id gamma."]}
        response = csm_api.post(CONTACTS, {"email": "x@gamma.example"}, format="json")
        assert response.json()["errors"] == {"company": ["Name one of your companies."]}
        assert not Contact.objects.exists()

    def test_a_manager_may_add_a_contact_without_company(self, manager_api):
        response = manager_api.post(CONTACTS, {"email": "lead@nowhere.example"}, format="json")
        assert response.status_code == 201
        assert response.json()["company"] is None

    def test_model_rules_are_400s(self, manager_api, companies):
        ContactFactory(email="Ana@Alpha.example", company=companies[0])
        body = {"email": "ana@alpha.example", "company": companies[0].external_id}
        response = manager_api.post(CONTACTS, body, format="json")
        assert response.json()["errors"] == {
            "non_field_errors": ["Another contact of this company has this email address."]
        }
        response = manager_api.post(CONTACTS, {"name": "Nobody"}, format="json")
        assert response.json()["errors"] == {
            "non_field_errors": ["A contact needs an external id or an email address."]
        }

    def test_scope_and_filters(self, csm_api, companies):
        mine = ContactFactory(company=companies[0], email="ana@alpha.example", name="Ana")
        ContactFactory(company=companies[1], name="Gus")
        response = csm_api.get(CONTACTS)
        assert [row["id"] for row in response.json()["results"]] == [mine.pk]
        assert csm_api.get(CONTACTS, {"email": "ANA@alpha.example"}).json()["count"] == 1
        assert csm_api.get(CONTACTS, {"company": "gamma"}).json()["count"] == 0

    def test_update_by_id(self, csm_api, companies):
        mine = ContactFactory(company=companies[0], title="")
        theirs = ContactFactory(company=companies[1])
        response = csm_api.patch(f"{CONTACTS}{mine.pk}/", {"title": "VP Marketing"}, format="json")
        assert response.status_code == 200
        assert response.json()["title"] == "VP Marketing"
        assert csm_api.patch(f"{CONTACTS}{theirs.pk}/", {"title": "x"}, format="json").status_code == 404
        moved = csm_api.patch(f"{CONTACTS}{mine.pk}/", {"company": "gamma"}, format="json")
        assert moved.status_code == 400
        assert Contact.objects.get(pk=mine.pk).company == companies[0]
