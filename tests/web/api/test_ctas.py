"""/api/v1/ctas/ (DESIGN §11): the list with its filters and fields, PATCH of status, owner and tasks, POST
of a CTA by hand, errors in the API's shape, the same access rules as the pages; open_ctas in the journey."""

from datetime import date

import pytest

from ctas.models import CTA
from tests.ctas.helpers import customer, day

pytestmark = pytest.mark.django_db

URL = "/api/v1/ctas/"


@pytest.fixture
def ctas(csm, other_csm, stuck_rule, time_machine_today):
    customer(csm, name="Acme", external_id="acme")
    customer(other_csm, name="Theirs", external_id="theirs")
    day("2026-02-11")
    time_machine_today(date(2026, 2, 12))
    return CTA.objects.get(company__external_id="acme")


def test_the_list_has_the_contract_fields(csm_api, ctas):
    body = csm_api.get(URL, {"company": "acme", "status": "open"}).json()
    assert body["count"] == 1
    item = body["results"][0]
    assert {
        key: item[key] for key in ("id", "company", "type", "status", "milestone", "owner", "due_on")
    } == {
        "id": ctas.pk,
        "company": "acme",
        "type": "ebr",
        "status": "open",
        "milestone": "second",
        "owner": "alice",
        "due_on": "2026-02-25",
    }
    assert (item["outcome"], item["snoozed_until"], item["reason"]) == (None, None, "EBR stuck at the second")
    assert (item["created_on"], item["closed_on"]) == ("2026-02-11", None)
    assert [(t["title"], t["done"], t["done_by"], t["done_at"]) for t in item["tasks"]] == [
        ("Review the account", False, None, None),
        ("Hold the EBR", False, None, None),
    ]
    assert item["priority"]["score"] == sum(item["priority"][k] for k in ("days", "mrr", "health", "due"))


def test_filters(csm_api, manager_api, ctas):
    assert manager_api.get(URL).json()["count"] == 2
    assert manager_api.get(URL, {"owner": "bob"}).json()["results"][0]["company"] == "theirs"
    assert manager_api.get(URL, {"type": "qbr"}).json()["count"] == 0
    assert manager_api.get(URL, {"milestone": "second"}).json()["count"] == 2
    assert manager_api.get(URL, {"status": "closed"}).json()["count"] == 0
    assert csm_api.get(URL).json()["count"] == 1  # only Alice's
    assert csm_api.get(URL, {"status": "nonsense"}).json()["code"] == "invalid"


def test_patch_snooze_close_and_tasks(csm_api, ctas):
    task = ctas.tasks.get(order=1)
    response = csm_api.patch(
        f"{URL}{ctas.pk}/",
        {
            "status": "snoozed",
            "snoozed_until": "2026-03-01",
            "reason": "Sponsor away",
            "tasks": [{"id": task.pk, "done": True}],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["snoozed_until"], body["reason"]) == (
        "snoozed",
        "2026-03-01",
        "Sponsor away",
    )
    assert body["tasks"][0]["done"] is True and body["tasks"][0]["done_by"] == "alice"
    closed = csm_api.patch(f"{URL}{ctas.pk}/", {"status": "closed", "outcome": "done"}, format="json").json()
    assert (closed["status"], closed["outcome"], closed["closed_on"]) == ("closed", "done", "2026-02-12")


def test_patch_errors_have_the_api_shape(csm_api, ctas):
    response = csm_api.patch(f"{URL}{ctas.pk}/", {"status": "snoozed"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and set(body["errors"]) == {"snoozed_until", "reason"}
    response = csm_api.patch(f"{URL}{ctas.pk}/", {"status": "closed", "outcome": "churned"}, format="json")
    assert response.status_code == 400 and "outcome" in response.json()["errors"]
    response = csm_api.patch(f"{URL}{ctas.pk}/", {"owner": "bob"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


def test_another_csms_cta_does_not_exist(other_csm_api, ctas):
    assert other_csm_api.get(f"{URL}{ctas.pk}/").status_code == 404
    response = other_csm_api.patch(f"{URL}{ctas.pk}/", {"status": "closed", "outcome": "done"}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    ctas.refresh_from_db()
    assert ctas.status == "open"


def test_managers_reassign_and_send_to_the_pool(manager_api, ctas):
    assert manager_api.patch(f"{URL}{ctas.pk}/", {"owner": "bob"}, format="json").json()["owner"] == "bob"
    assert manager_api.patch(f"{URL}{ctas.pk}/", {"owner": None}, format="json").json()["owner"] is None
    response = manager_api.patch(f"{URL}{ctas.pk}/", {"owner": "carol"}, format="json")
    assert response.status_code == 400 and "owner" in response.json()["errors"]


def test_post_opens_a_cta_by_hand(csm_api, ctas):
    response = csm_api.post(
        URL, {"company": "acme", "type": "check-in", "due_on": "2026-02-20", "tasks": ["Call"]}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["type"], body["owner"], body["tasks"][0]["title"]) == ("check-in", "alice", "Call")
    again = csm_api.post(URL, {"company": "acme", "type": "ebr", "due_on": "2026-02-20"}, format="json")
    assert again.status_code == 400 and "already has a CTA of type EBR" in str(again.json()["errors"])
    theirs = csm_api.post(URL, {"company": "theirs", "type": "ebr", "due_on": "2026-02-20"}, format="json")
    assert theirs.status_code == 404
    unknown = csm_api.post(URL, {"company": "acme", "type": "nope", "due_on": "2026-02-20"}, format="json")
    assert unknown.status_code == 400


def test_the_journey_lists_the_open_ctas(csm_api, ctas):
    body = csm_api.get("/api/v1/companies/acme/journey/").json()
    assert [(c["id"], c["type"], c["status"]) for c in body["open_ctas"]] == [(ctas.pk, "ebr", "open")]


def test_hostile_ids_are_404s_not_500s(csm_api, ctas):
    huge = "9" * 25
    assert csm_api.get(f"{URL}{huge}/").status_code == 404
    assert csm_api.patch(f"{URL}{huge}/", {"status": "open"}, format="json").status_code == 404
    response = csm_api.patch(f"{URL}{ctas.pk}/", {"tasks": [{"id": int(huge), "done": True}]}, format="json")
    assert response.status_code in (400, 404)
    assert csm_api.get(URL, {"owner": "\x00"}).status_code in (200, 400)
