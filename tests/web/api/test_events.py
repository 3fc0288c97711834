"""events/: strict batches, idempotency by message id, clean properties, and one company's timeline."""

import json
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time

from companies.models import Contact, Event
from tests.factories import CompanyFactory, ContactFactory, EventFactory, EventTypeFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/events/"


@pytest.fixture
def companies(csm, other_csm):
    return CompanyFactory(external_id="alpha", csm=csm), CompanyFactory(external_id="gamma", csm=other_csm)


def post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


class TestSend:
    def test_one_event(self, csm_api, csm, companies):
        body = {
            "message_id": "m-1",
            "company": "alpha",
            "contact": "u-42",
            "event": "landing_page_published",
            "properties": {"page": "/spring", "session_id": "s-9"},
            "timestamp": "2026-03-02T10:15:00+01:00",
        }
        response = post(csm_api, body)
        assert response.status_code == 201
        assert response.json() == {"received": 1, "stored": 1, "duplicates": 0}
        event = Event.objects.select_related("type", "contact").get()
        assert (event.company, event.type.name, event.source, event.message_id) == (
            companies[0],
            "landing_page_published",
            f"api-{csm.pk}",  # each API user's message ids are its own
            "m-1",
        )
        assert event.occurred_at == datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
        assert event.properties == {"page": "/spring", "session_id": "s-9"}
        assert event.session_id == "s-9"
        assert (event.contact.external_id, event.contact.company) == ("u-42", companies[0])

    def test_a_retry_stores_nothing_and_says_so(self, csm_api, companies):
        body = {"message_id": "m-1", "company": "alpha", "event": "lead_created"}
        post(csm_api, body)
        response = post(csm_api, body)
        assert response.status_code == 200
        assert response.json() == {"received": 1, "stored": 0, "duplicates": 1}
        assert Event.objects.count() == 1

    @freeze_time("2026-03-05 08:00:00")
    def test_defaults_a_message_id_and_the_time(self, csm_api, companies):
        post(csm_api, {"company": "alpha", "event": "lead_created"})
        post(csm_api, {"company": "alpha", "event": "lead_created"})
        events = list(Event.objects.all())
        assert len(events) == 2
        assert all(len(event.message_id) == 36 for event in events)
        assert {event.occurred_at for event in events} == {datetime(2026, 3, 5, 8, tzinfo=UTC)}

    def test_a_batch(self, csm_api, companies):
        known = ContactFactory(external_id="u-1", company=companies[0])
        events = [
            {"message_id": f"b-{n}", "company": "alpha", "contact": "u-1", "event": "lead_created"}
            for n in range(3)
        ]
        response = post(csm_api, {"events": events})
        assert response.status_code == 201
        assert response.json() == {"received": 3, "stored": 3, "duplicates": 0}
        assert set(Event.objects.values_list("contact", flat=True)) == {known.pk}
        assert Contact.objects.count() == 1

    def test_a_time_without_offset_is_utc(self, csm_api, companies):
        post(csm_api, {"company": "alpha", "event": "lead_created", "timestamp": "2026-03-02T10:15:00"})
        assert Event.objects.get().occurred_at == datetime(2026, 3, 2, 10, 15, tzinfo=UTC)

    def test_properties_are_made_storable(self, csm_api, companies):
        raw = '{"company": "alpha", "event": "x", "properties": {"a": "n\\u0000ul", "b": "\\ud800!", "c": 1e309}}'
        response = csm_api.post(URL, raw, content_type="application/json")
        assert response.status_code == 201
        assert Event.objects.get().properties == {"a": "nul", "b": "\ufffd!", "c": None}


class TestStrict:
    def test_any_invalid_event_stores_nothing_and_lists_every_error(self, csm_api, companies):
        events = [
            {"company": "alpha", "event": "lead_created"},
            {"company": "gamma", "event": "lead_created"},  # Bob's: Alice cannot see it
            {"company": "alpha", "event": "", "timestamp": "yesterday"},
            {"company": "nowhere", "event": "lead_created", "message_id": "x" * 101},
        ]
        response = post(csm_api, {"events": events})
        assert response.status_code == 400
        assert response.json() == {
            "code": "invalid",
            "message": "3 of 4 events are invalid; nothing was stored.",
            "errors": {
                "events": {
                    "1": {"company": ["No company with external id gamma."]},
                    "2": {
                        "event": ["This field may not be blank."],
                        "timestamp": [
                            "Datetime has wrong format. Use one of these formats instead: "
                            "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                        ],
                    },
                    "3": {"message_id": ["Ensure this field has no more than 100 characters."]},
                }
            },
        }
        assert not Event.objects.exists()

    def test_a_single_invalid_event_gets_its_field_errors(self, csm_api, companies):
        response = post(csm_api, {"company": "gamma", "event": "lead_created"})
        assert response.status_code == 400
        assert response.json() == {
            "code": "invalid",
            "message": "Invalid: company.",
            "errors": {"company": ["No company with external id gamma."]},
        }

    def test_text_must_be_a_string(self, csm_api, companies):
        response = post(csm_api, {"company": "alpha", "event": 5, "message_id": 12})
        assert response.status_code == 400
        assert response.json()["errors"] == {
            "event": ["Not a valid string."],
            "message_id": ["Not a valid string."],
        }
        assert not Event.objects.exists()

    @freeze_time("2026-03-05 08:00:00")
    def test_the_future_is_refused(self, csm_api, companies):
        response = post(csm_api, {"company": "alpha", "event": "x", "timestamp": "2026-03-05T08:06:00Z"})
        assert response.json()["errors"] == {
            "timestamp": ["The timestamp is more than 5 minutes in the future."]
        }

    def test_properties_nested_too_deep(self, csm_api, companies):
        nested = {}
        for _ in range(21):
            nested = {"k": nested}
        response = post(csm_api, {"company": "alpha", "event": "x", "properties": nested})
        assert response.json()["errors"] == {"properties": ["properties is nested more than 20 levels deep."]}

    def test_properties_must_be_an_object(self, csm_api, companies):
        response = post(csm_api, {"company": "alpha", "event": "x", "properties": [1, 2]})
        assert response.json()["errors"] == {
            "properties": ['Expected a dictionary of items but got type "list".']
        }

    def test_at_most_2500_per_batch(self, csm_api, companies):
        response = post(csm_api, {"events": [{"company": "alpha", "event": "x"}] * 2501})
        assert response.status_code == 400
        assert response.json() == {
            "code": "invalid",
            "message": "A batch holds at most 2,500 items.",
            "errors": {"events": ["At most 2,500 items."]},
        }

    def test_a_list_body_is_refused(self, csm_api, companies):
        response = post(csm_api, [{"company": "alpha", "event": "x"}])
        assert response.status_code == 400
        assert response.json()["message"] == "Send one object, or {'events': [...]}."

    def test_json_only(self, csm_api, companies):
        response = csm_api.post(
            URL, "company=alpha&event=x", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 415
        assert response.json() == {
            "code": "unsupported_media_type",
            "message": 'Unsupported media type "application/x-www-form-urlencoded" in request.',
        }

    def test_broken_json_is_a_parse_error(self, csm_api, companies):
        for raw in ('{"company": "alpha", ', '{"company": "alpha", "event": "x", "properties": {"v": NaN}}'):
            response = csm_api.post(URL, raw, content_type="application/json")
            assert response.status_code == 400
            assert response.json()["code"] == "parse_error"
        assert not Event.objects.exists()

    def test_json_nested_past_the_parser_is_a_parse_error(self, csm_api, companies):
        response = csm_api.post(URL, "[" * 100_000 + "]" * 100_000, content_type="application/json")
        assert response.status_code == 400
        assert response.json() == {
            "code": "parse_error",
            "message": "JSON parse error - the body is nested too deeply.",
        }

    def test_an_oversized_body_is_a_413(self, csm_api, companies, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
        response = post(csm_api, {"company": "alpha", "event": "x", "properties": {"blob": "x" * 2000}})
        assert response.status_code == 413
        assert response.json() == {"code": "too_large", "message": "The request body is over 1 KB."}


class TestList:
    def test_needs_a_company(self, csm_api, companies):
        response = csm_api.get(URL)
        assert response.status_code == 400
        assert response.json()["errors"] == {"company": ["This field is required."]}

    def test_a_companys_events_newest_first(self, csm_api, companies):
        alpha = companies[0]
        contact = ContactFactory(external_id="u-7", company=alpha)
        older = EventFactory(
            company=alpha, occurred_at=datetime(2026, 3, 1, 9, tzinfo=UTC), message_id="old", source="api"
        )
        newer = EventFactory(
            company=alpha,
            type=EventTypeFactory(name="lead_created"),
            contact=contact,
            occurred_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
            message_id="new",
            properties={"form": "demo"},
        )
        EventFactory(company=companies[1])
        response = csm_api.get(URL, {"company": "alpha"})
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2
        assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]
        first = body["results"][0]
        assert {key: value for key, value in first.items() if key != "received_at"} == {
            "id": newer.pk,
            "message_id": "new",
            "company": "alpha",
            "contact": "u-7",
            "event": "lead_created",
            "properties": {"form": "demo"},
            "timestamp": "2026-03-02T09:00:00Z",
            "source": "test",
        }
        assert body["results"][1]["contact"] is None

    def test_filters(self, csm_api, companies):
        alpha = companies[0]
        EventFactory(company=alpha, occurred_at=datetime(2026, 3, 1, 9, tzinfo=UTC))
        EventFactory(
            company=alpha,
            type=EventTypeFactory(name="lead_created"),
            occurred_at=datetime(2026, 3, 3, tzinfo=UTC),
        )
        assert csm_api.get(URL, {"company": "alpha", "event": "lead_created"}).json()["count"] == 1
        assert csm_api.get(URL, {"company": "alpha", "since": "2026-03-02T00:00:00Z"}).json()["count"] == 1
        assert csm_api.get(URL, {"company": "alpha", "until": "2026-03-02T00:00:00Z"}).json()["count"] == 1

    def test_a_csm_never_lists_another_csms_events(self, csm_api, manager_api, companies):
        EventFactory(company=companies[1])
        assert csm_api.get(URL, {"company": "gamma"}).json()["count"] == 0
        assert manager_api.get(URL, {"company": "gamma"}).json()["count"] == 1
