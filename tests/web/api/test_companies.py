"""companies/: who sees and changes what, filters, and model rules answered as 400s."""

from datetime import UTC, date, datetime

import pytest

from companies.models import Company
from journey.models import JourneyState, Stage
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/companies/"


@pytest.fixture
def book(csm, other_csm):
    """Alice's two companies and Bob's one."""
    evaluation = Stage.objects.create(key="evaluation", name="Evaluation", order=4, min_score=600)
    alpha = CompanyFactory(
        external_id="acme.io@eu-1",
        name="Alpha Analytics",
        domain="alpha.example",
        csm=csm,
        segment="Mid-market",
        plan="Pro",
        mrr="1250.50",
        customer_since=date(2026, 1, 5),
    )
    JourneyState.objects.create(
        company=alpha, score=619, stage=evaluation, scored_through=datetime(2026, 3, 2, tzinfo=UTC)
    )
    beta = CompanyFactory(
        external_id="beta",
        name="Beta Foods",
        csm=csm,
        plan="Starter",
        lifecycle="prospect",
        customer_since=None,
    )
    gamma = CompanyFactory(external_id="gamma", name="Gamma Health", csm=other_csm)
    return alpha, beta, gamma


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


class TestRead:
    def test_a_company_as_the_api_gives_it(self, csm_api, book):
        response = csm_api.get(f"{URL}acme.io@eu-1/")
        assert response.status_code == 200
        body = response.json()
        assert {key: body[key] for key in body if key not in ("created_at", "updated_at")} == {
            "external_id": "acme.io@eu-1",
            "name": "Alpha Analytics",
            "domain": "alpha.example",
            "lifecycle": "customer",
            "customer_since": "2026-01-05",
            "churned_on": None,
            "csm": "alice",
            "segment": "Mid-market",
            "plan": "Pro",
            "mrr": 1250.5,
            "score": 6.19,
            "stage": "evaluation",
        }

    def test_a_csm_lists_only_their_companies(self, csm_api, book):
        response = csm_api.get(URL)
        assert response.json()["count"] == 2
        assert names(response) == ["Alpha Analytics", "Beta Foods"]

    def test_the_csm_filter_cannot_widen_a_csm_scope(self, csm_api, book):
        assert csm_api.get(URL, {"csm": "bob"}).json()["count"] == 0

    def test_a_csm_cannot_read_another_csms_company(self, csm_api, book):
        response = csm_api.get(f"{URL}gamma/")
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": "Not found."}

    def test_a_manager_sees_all_and_filters(self, manager_api, book):
        assert names(manager_api.get(URL)) == ["Alpha Analytics", "Beta Foods", "Gamma Health"]
        assert names(manager_api.get(URL, {"csm": "bob"})) == ["Gamma Health"]
        assert names(manager_api.get(URL, {"lifecycle": "prospect"})) == ["Beta Foods"]
        assert names(manager_api.get(URL, {"plan": "Starter"})) == ["Beta Foods"]
        assert names(manager_api.get(URL, {"segment": "Mid-market"})) == ["Alpha Analytics"]
        assert names(manager_api.get(URL, {"stage": "evaluation"})) == ["Alpha Analytics"]
        assert names(manager_api.get(URL, {"search": "health"})) == ["Gamma Health"]
        assert names(manager_api.get(URL, {"search": "beta"})) == ["Beta Foods"]

    def test_an_invalid_filter_is_a_400(self, manager_api, book):
        response = manager_api.get(URL, {"lifecycle": "vip"})
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert list(response.json()["errors"]) == ["lifecycle"]

    def test_pages_carry_the_count(self, manager_api):
        CompanyFactory.create_batch(7)
        response = manager_api.get(URL, {"page_size": 5, "page": 2})
        assert response.json()["count"] == 7
        assert len(response.json()["results"]) == 2

    def test_the_list_is_a_constant_number_of_queries(self, manager_api, django_assert_num_queries):
        CompanyFactory.create_batch(3)
        manager_api.get(URL)  # warm: the token's last use is written once a minute
        CompanyFactory.create_batch(20)
        # token, user's groups, count, page
        with django_assert_num_queries(4):
            assert manager_api.get(URL).json()["count"] == 23


class TestCreate:
    BODY = {
        "external_id": "delta-01",
        "name": "Delta Logistics",
        "lifecycle": "customer",
        "customer_since": "2026-02-01",
        "csm": "alice",
        "plan": "Business",
        "mrr": "4000",
    }

    def test_a_manager_creates_a_company(self, manager_api, csm):
        response = manager_api.post(URL, self.BODY, format="json")
        assert response.status_code == 201
        body = response.json()
        assert (body["external_id"], body["csm"], body["mrr"], body["score"], body["stage"]) == (
            "delta-01",
            "alice",
            4000.0,
            None,
            None,
        )
        company = Company.objects.get(external_id="delta-01")
        assert (company.csm, company.customer_since, company.plan) == (csm, date(2026, 2, 1), "Business")

    def test_a_csm_cannot_create_companies(self, csm_api):
        response = csm_api.post(URL, self.BODY, format="json")
        assert response.status_code == 403
        assert response.json() == {
            "code": "permission_denied",
            "message": "Only managers and admins may do this.",
        }
        assert not Company.objects.exists()

    def test_a_customer_without_a_start_date_is_a_400(self, admin_api, csm):
        response = admin_api.post(URL, {**self.BODY, "customer_since": None}, format="json")
        assert response.status_code == 400
        assert response.json() == {
            "code": "invalid",
            "message": "A customer needs a 'customer since' date.",
            "errors": {"non_field_errors": ["A customer needs a 'customer since' date."]},
        }

    def test_churn_before_the_start_is_a_400(self, admin_api, csm):
        body = {**self.BODY, "lifecycle": "churned", "churned_on": "2026-01-01"}
        response = admin_api.post(URL, body, format="json")
        assert response.status_code == 400
        assert response.json()["errors"] == {
            "non_field_errors": ["'Churned on' cannot be before 'customer since'."]
        }

    def test_a_taken_external_id_is_a_400(self, admin_api, csm):
        CompanyFactory(external_id="delta-01")
        response = admin_api.post(URL, self.BODY, format="json")
        assert response.status_code == 400
        assert response.json()["errors"] == {"external_id": ["Company with this External id already exists."]}

    @pytest.mark.parametrize(
        ("field", "value", "error"),
        [
            (
                "external_id",
                "a/b",
                "An external id cannot contain '/' or control characters: it is part of the company's URL.",
            ),
            ("mrr", "-1", "Ensure this value is greater than or equal to 0."),
            ("csm", "ghost", "Object with username=ghost does not exist."),
            ("lifecycle", "vip", '"vip" is not a valid choice.'),
            # What the schema says, not more: text is a string, an amount digits or a number.
            ("plan", 5, "Not a valid string."),
            ("name", 1.5, "Not a valid string."),
            ("csm", 7, "Invalid value."),
            ("mrr", "1e3", "A valid number is required."),
            ("mrr", " 5", "A valid number is required."),
            ("mrr", ".5", "A valid number is required."),
            ("mrr", "-0", "Ensure this value is greater than or equal to 0."),
            ("mrr", True, "A valid number is required."),
            ("mrr", 10_000_000_000, "Ensure that there are no more than 12 digits in total."),
        ],
    )
    def test_field_errors(self, admin_api, csm, field, value, error):
        response = admin_api.post(URL, {**self.BODY, field: value}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"] == {field: [error]}
        assert response.json()["message"] == f"Invalid: {field}."

    @pytest.mark.parametrize(("mrr", "stored"), [(19.999, "20.00"), (0.1, "0.10"), ("0001250.50", "1250.50")])
    def test_an_amount_as_a_number_is_rounded_to_the_cent(self, admin_api, csm, mrr, stored):
        response = admin_api.post(URL, {**self.BODY, "mrr": mrr}, format="json")
        assert response.status_code == 201
        assert str(Company.objects.get(external_id="delta-01").mrr) == stored


class TestUpdate:
    def test_a_csm_updates_their_company(self, csm_api, book):
        response = csm_api.patch(f"{URL}acme.io@eu-1/", {"plan": "Enterprise", "mrr": 3000}, format="json")
        assert response.status_code == 200
        assert (response.json()["plan"], response.json()["mrr"]) == ("Enterprise", 3000.0)
        assert Company.objects.get(external_id="acme.io@eu-1").plan == "Enterprise"

    def test_a_csm_cannot_change_another_csms_company(self, csm_api, book):
        response = csm_api.patch(f"{URL}gamma/", {"plan": "Free"}, format="json")
        assert response.status_code == 404
        assert Company.objects.get(external_id="gamma").plan == "Pro"

    def test_a_csm_cannot_take_over_a_company(self, csm_api, other_csm, book):
        response = csm_api.patch(f"{URL}gamma/", {"csm": "alice"}, format="json")
        assert response.status_code == 404
        assert Company.objects.get(external_id="gamma").csm == other_csm

    def test_a_csm_cannot_reassign_their_company(self, csm_api, csm, book):
        response = csm_api.patch(f"{URL}beta/", {"csm": "bob"}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"] == {"csm": ["Only managers and admins assign companies to CSMs."]}
        assert Company.objects.get(external_id="beta").csm == csm

    def test_a_csm_may_send_back_the_csm_unchanged(self, csm_api, book):
        body = {"external_id": "beta", "name": "Beta Foods SA", "csm": "alice"}
        response = csm_api.put(f"{URL}beta/", body, format="json")
        assert response.status_code == 200
        assert response.json()["name"] == "Beta Foods SA"

    def test_a_manager_reassigns(self, manager_api, other_csm, book):
        response = manager_api.patch(f"{URL}beta/", {"csm": "bob"}, format="json")
        assert response.status_code == 200
        assert Company.objects.get(external_id="beta").csm == other_csm

    def test_put_needs_the_required_fields(self, manager_api, book):
        response = manager_api.put(f"{URL}beta/", {"plan": "Pro"}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"] == {
            "external_id": ["This field is required."],
            "name": ["This field is required."],
        }

    def test_the_external_id_cannot_change(self, manager_api, book):
        response = manager_api.patch(f"{URL}beta/", {"external_id": "beta-2"}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"] == {
            "external_id": ["The external id cannot change: other systems know the company by it."]
        }

    def test_becoming_a_customer_needs_a_start_date(self, manager_api, book):
        response = manager_api.patch(f"{URL}beta/", {"lifecycle": "customer"}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"] == {
            "non_field_errors": ["A customer needs a 'customer since' date."]
        }
        assert Company.objects.get(external_id="beta").lifecycle == "prospect"

    def test_companies_cannot_be_deleted(self, admin_api, book):
        response = admin_api.delete(f"{URL}beta/")
        assert response.status_code == 405
        assert response.json() == {"code": "method_not_allowed", "message": 'Method "DELETE" not allowed.'}
