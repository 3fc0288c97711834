"""Editing the scoring rules in admin (DESIGN §3.2–3.5): triggers with their event names one per line, a
rebuild after a change, webhook endpoints with their secrets, and messages sent again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from core.models import JobRun, OutboxMessage, WebhookEndpoint
from journey.models import JourneyState, ScoringRule, Stage, StageTrigger
from tests.factories import CompanyFactory, EventFactory, EventTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user, methodology):
    client.force_login(admin_user)
    return client


def test_a_trigger_is_added_with_its_events_one_per_line(admin_client):
    response = admin_client.post(
        reverse("admin:journey_stagetrigger_add"),
        {
            "name": "Two webinars in a month",
            "event_names": "webinar_attended\n\n  webinar_registered \nwebinar_attended\n",
            "is_active": "on",
            "property_key": "",
            "property_operator": "",
            "property_value": "",
            "min_count": "2",
            "counting": "events",
            "window_days": "30",
            "stage": Stage.objects.get(key="solution").pk,
            "floor": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    trigger = StageTrigger.objects.get(name="Two webinars in a month")
    assert trigger.event_names == ["webinar_attended", "webinar_registered"]
    page = admin_client.get(reverse("admin:journey_stagetrigger_change", args=[trigger.pk])).content.decode()
    assert "webinar_attended\nwebinar_registered</textarea>" in page


def test_a_trigger_counting_several_events_needs_a_window(admin_client):
    response = admin_client.post(
        reverse("admin:journey_stagetrigger_add"),
        {
            "name": "Many blog views",
            "event_names": "blog_viewed",
            "min_count": "3",
            "counting": "events",
            "window_days": "",
            "stage": Stage.objects.get(key="education").pk,
        },
    )
    assert response.status_code == 200
    assert "Counting several events needs a window of 1 to 60 days." in response.content.decode()
    assert not StageTrigger.objects.filter(name="Many blog views").exists()


def test_a_positive_rule_cannot_take_points_away(admin_client):
    response = admin_client.post(
        reverse("admin:journey_scoringrule_add"),
        {"event_name": "blog_viewed", "kind": "engagement", "points": "-50", "ceiling": "399", "order": "1"},
    )
    assert response.status_code == 200
    assert "Only negative signals have negative points." in response.content.decode()


def test_the_rules_list_rebuilds_every_score_after_a_confirmation(admin_client):
    company = CompanyFactory()
    EventFactory(company=company, type=EventTypeFactory(name="blog_viewed"), occurred_at=datetime.now(UTC))
    ScoringRule.objects.filter(event_name="blog_viewed").update(points=300)
    changelist = admin_client.get(reverse("admin:journey_scoringrule_changelist")).content.decode()
    url = reverse("admin:journey_scoringrule_rebuild")
    assert f'href="{url}"' in changelist and "Rebuild all scores…" in changelist
    confirm = admin_client.get(url)  # the link asks first; nothing runs
    assert confirm.status_code == 200 and "Yes, rebuild all scores" in confirm.content.decode()
    assert not JobRun.objects.exists() and not JourneyState.objects.exists()
    response = admin_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:core_jobrun_changelist") + "?job=scoring"
    page = response.content.decode()
    assert "Rebuild queued" in page
    run = JobRun.objects.get(job="scoring")  # tasks run in-process here; the list shows the run
    assert run.status == JobRun.Status.SUCCEEDED and run.detail["rebuild"] is True
    assert (run.chunks_done, run.chunks_total) == (1, 1) and run.detail["replayed"] == 1
    assert 'class="run-state run-succeeded">Succeeded<' in page and "1 of 1 chunks" in page
    detail = admin_client.get(reverse("admin:core_jobrun_change", args=[run.pk])).content.decode()
    assert "&quot;replayed&quot;: 1" in detail
    assert JourneyState.objects.get(company=company).score == 300


def test_the_rebuild_is_queued_not_run_in_the_request(admin_client, settings, monkeypatch):
    """Without a broker, the web process runs it in a background thread, as it scores new events."""
    from journey import tasks

    settings.WAYPOINT_BACKGROUND_THREADS = True
    kicked, ran = [], []
    monkeypatch.setattr(tasks._rebuild.deferred, "kick", lambda: kicked.append(1))
    monkeypatch.setattr(tasks, "journey_rebuild", lambda **kwargs: ran.append(1))
    admin_client.post(reverse("admin:journey_scoringrule_rebuild"))
    assert kicked == [1] and ran == []


def test_the_rebuild_waits_for_a_scoring_run_in_progress(monkeypatch):
    from core import background
    from core.locks import LeaseHeld
    from journey import tasks

    attempts = []

    def held_once(**kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            raise LeaseHeld("scoring", "host:1", datetime(2026, 3, 1, tzinfo=UTC))

    monkeypatch.setattr(tasks, "journey_rebuild", held_once)
    monkeypatch.setattr(background.time, "sleep", lambda seconds: None)
    tasks._rebuild.run_in_process()
    assert len(attempts) == 2


def test_the_rebuild_is_for_admins_only(client, manager, methodology):
    client.force_login(manager)
    for response in (
        client.get(reverse("admin:journey_scoringrule_rebuild")),
        client.post(reverse("admin:journey_scoringrule_rebuild")),
    ):
        assert response.status_code == 302 and "/login" in response.url
    assert not JobRun.objects.exists()


def test_a_new_webhook_endpoint_comes_with_a_fresh_secret_and_a_bad_one_is_refused(admin_client):
    form = admin_client.get(reverse("admin:core_webhookendpoint_add")).context["adminform"].form
    secret = form["secret"].value()
    assert secret.startswith("whsec_") and secret != WebhookEndpoint().secret
    data = {"url": "https://crm.example/hooks", "description": "CRM", "secret": "hunter2", "is_active": "on"}
    response = admin_client.post(reverse("admin:core_webhookendpoint_add"), data)
    assert "whsec_ followed by the base64 of 24 to 64 random bytes." in response.content.decode()
    response = admin_client.post(reverse("admin:core_webhookendpoint_add"), {**data, "secret": secret})
    assert response.status_code == 302
    assert WebhookEndpoint.objects.get(url="https://crm.example/hooks").secret == secret


def test_a_message_given_up_can_be_sent_again(admin_client, mailoutbox, django_capture_on_commit_callbacks):
    message = OutboxMessage.objects.create(
        message_id=uuid.uuid4(),
        channel="email",
        kind="company.stage_changed",
        recipient="alice@example.com",
        subject="Acme moved",
        payload={"body": "…"},
        status="dead",
        attempts=11,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:core_outboxmessage_changelist"),
            {"action": "send_again", "_selected_action": [message.pk]},
            follow=True,
        )
    assert "1 message(s) will be sent again." in response.content.decode()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("delivered", 1)
    assert [mail.subject for mail in mailoutbox] == ["Acme moved"]
