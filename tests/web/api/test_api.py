"""What every endpoint shares: the error format, unknown URLs, the methodology, and the schema."""

import io

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def test_unknown_api_urls_are_json_404s(csm_api):
    response = csm_api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No API endpoint at /api/v1/nothing-here/."}
    response = APIClient().get("/api/v1/companies")
    assert response.json() == {
        "code": "not_found",
        "message": "No API endpoint at /api/v1/companies. API paths end with a slash.",
    }


def test_an_unknown_api_url_with_a_line_break_is_a_json_404_too(csm_api):
    response = csm_api.get("/api/v1/companies/a%0Ab/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No API endpoint at /api/v1/companies/a\nb/."}


def test_a_write_to_an_unknown_url_is_a_404_not_a_csrf_page(csm):
    client = APIClient(enforce_csrf_checks=True)
    response = client.put("/api/v1/contacts/null,null/", {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_methodology(csm_api, methodology):
    response = csm_api.get("/api/v1/methodology/")
    assert response.status_code == 200
    phases = response.json()
    assert [phase["key"] for phase in phases] == [
        "prove-the-channel",
        "scale-the-channel",
        "predictable-growth",
        "optimize",
    ]
    first = phases[0]["milestones"][0]
    assert (first["key"], first["name"], first["target_days"]) == ("lead-generation", "Lead Generation", 45)
    assert first["criteria"][3] == {
        "label": "50 leads or more",
        "rule": "lead_created ≥ 50",
        "kind": "event_count",
        "event_name": "lead_created",
        "denominator_event_name": "",
        "min_denominator": 1,
        "metric": "",
        "comparator": "gte",
        "threshold": 50.0,
        "window_days": None,
        "property_key": "",
        "property_operator": "",
        "property_value": "",
    }
    task = first["tasks"][0]
    assert (task["order"], task["title"]) == (1, "Install the tracking code")
    assert task["resources"][0]["url"] == "https://academy.waypoint.example/install-tracking-code"
    assert "Landing pages that convert" in [resource["title"] for resource in first["resources"]]


def test_the_methodology_is_read_only(admin_api, methodology):
    response = admin_api.post("/api/v1/methodology/", {}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


class TestPagination:
    """Pages are strict: a `page` or `page_size` that is not a whole number in range is a 400 in the error
    format, where DRF would quietly use the defaults; a page past the last is a 404."""

    @pytest.mark.parametrize(
        ("params", "field", "error"),
        [
            ({"page_size": "null"}, "page_size", "A whole number from 1 to 500."),
            ({"page_size": "0"}, "page_size", "A whole number from 1 to 500."),
            ({"page_size": "501"}, "page_size", "A whole number from 1 to 500."),
            ({"page_size": "-5"}, "page_size", "A whole number from 1 to 500."),
            ({"page_size": ""}, "page_size", "A whole number from 1 to 500."),
            ({"page": "0"}, "page", "A whole number from 1."),
            ({"page": "2.5"}, "page", "A whole number from 1."),
            ({"page": "last"}, "page", "A whole number from 1."),
            ({"page": "٣"}, "page", "A whole number from 1."),
        ],
    )
    def test_a_page_or_page_size_that_is_not_a_whole_number_in_range_is_a_400(
        self, manager_api, params, field, error
    ):
        response = manager_api.get("/api/v1/companies/", params)
        assert response.status_code == 400
        assert response.json() == {
            "code": "invalid",
            "message": f"Invalid: {field}.",
            "errors": {field: [error]},
        }

    def test_pages_within_the_bounds_and_past_the_last(self, manager_api):
        CompanyFactory.create_batch(3)
        assert len(manager_api.get("/api/v1/companies/", {"page_size": 500}).json()["results"]) == 3
        assert (
            len(manager_api.get("/api/v1/companies/", {"page_size": 1, "page": "03"}).json()["results"]) == 1
        )
        for page in ("2", "9" * 5000):
            response = manager_api.get("/api/v1/companies/", {"page": page})
            assert response.status_code == 404
            assert response.json() == {"code": "not_found", "message": "Invalid page."}


class TestSchema:
    def test_served_to_a_token(self, csm_api):
        response = csm_api.get("/api/schema/")
        assert response.status_code == 200
        schema = yaml.safe_load(response.content)
        assert schema["info"]["title"] == "Waypoint API"
        assert "/api/v1/companies/{external_id}/journey/" in schema["paths"]

    def test_not_to_strangers(self):
        response = APIClient().get("/api/schema/")
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    def test_the_docs_page_needs_a_login(self, client, csm):
        response = client.get("/api/docs/")
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
        client.force_login(csm)
        assert client.get("/api/docs/").status_code == 200

    def test_valid_and_without_warnings(self, tmp_path):
        """Every operation has its request and response schemas, errors included, so a client can be
        generated: spectacular's validation passes with warnings as failures."""
        target = tmp_path / "schema.yaml"
        call_command(
            "spectacular", "--validate", "--fail-on-warn", "--file", str(target), stdout=io.StringIO()
        )
        schema = yaml.safe_load(target.read_text())
        for path, operations in schema["paths"].items():
            if not path.startswith("/api/v1/"):
                continue  # the Segment-compatible /v1/* has its own rules (write keys, no roles)
            for method, operation in operations.items():
                codes = set(operation["responses"])
                assert {"401", "403"} <= codes, (method, path)
                if method in ("post", "put", "patch"):
                    assert "requestBody" in operation and "400" in codes, (method, path)
                if "{" in path:
                    assert "404" in codes, (method, path)
                assert "Retry-After" in operation["responses"]["503"]["headers"], (method, path)

    def test_says_what_the_list_parameters_take(self, csm_api):
        schema = yaml.safe_load(csm_api.get("/api/schema/").content)
        parameters = {p["name"]: p for p in schema["paths"]["/api/v1/events/"]["get"]["parameters"]}
        assert parameters["page"]["schema"] == {"type": "integer", "minimum": 1, "default": 1}
        assert parameters["page_size"]["schema"] == {
            "type": "integer",
            "minimum": 1,
            "maximum": 500,
            "default": 50,
        }
        assert parameters["company"]["required"] and "allowEmptyValue" not in parameters["company"]
        assert parameters["event"]["allowEmptyValue"]  # an empty filter is no filter
