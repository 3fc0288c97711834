"""Stored journey states against replays (DESIGN §3.6, §3.8): incremental runs, late events, decay, reruns,
rebuilds, one run at a time, and the notifications of live stage changes."""

from __future__ import annotations

import io
import itertools
import random
from datetime import date, datetime, time, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Notification
from companies.models import Event, EventType
from core.days import day_end, workspace_tz
from core.locks import LeaseHeld, lease_acquire, lease_release
from core.models import JobRun, OutboxMessage, WebhookEndpoint
from journey.models import JourneyState, ScoringRule, StageChange
from journey.scoring.loading import journey_replay
from journey.services.scoring import journey_rebuild, journey_score
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

_ids = itertools.count()


def at(day: str, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour, minute), tzinfo=workspace_tz())


def add(company, name: str, moment: datetime, *, session: str = "", **properties) -> Event:
    event_type, _ = EventType.objects.get_or_create(name=name)
    return Event.objects.create(
        company=company,
        type=event_type,
        occurred_at=moment,
        source="test",
        message_id=f"m-{next(_ids):06d}",
        session_id=session,
        properties=properties,
    )


def run(day: str) -> dict:
    return journey_score(until=day_end(date.fromisoformat(day))).as_dict()


def stored(company) -> tuple:
    state = JourneyState.objects.get(company=company)
    return state.score, state.stage.key, state.next_decay_at, state.last_engagement_at


def replayed(company, day: str) -> tuple:
    replayed = journey_replay(company=company, until=day_end(date.fromisoformat(day)), explain=False)
    state = replayed.result.state
    return (
        state.score,
        replayed.scoring.config.stage_of(state.score),
        state.next_decay_at,
        state.last_engagement_at,
    )


def changes(company) -> list[tuple]:
    return list(
        StageChange.objects.filter(company=company)
        .order_by("at", "id")
        .values_list("from_stage__key", "to_stage__key", "at", "score", "cause", "live")
    )


@pytest.fixture
def company(methodology, csm):
    return CompanyFactory(csm=csm)


class TestRuns:
    def test_the_first_run_replays_everyone_as_history_and_notifies_nobody(self, company, mailoutbox):
        add(company, "demo_requested", at("2026-03-02"))
        summary = run("2026-03-02")
        assert summary["replayed"] == 1 and summary["events"] == 1
        assert stored(company) == (600, "evaluation", at("2026-03-09"), at("2026-03-02"))
        assert changes(company) == [("target", "evaluation", at("2026-03-02"), 600, "event", False)]
        assert not Notification.objects.exists() and not OutboxMessage.objects.exists()

    def test_new_events_continue_from_the_stored_state_and_live_changes_notify(
        self, company, csm, django_capture_on_commit_callbacks
    ):
        WebhookEndpoint.objects.create(url="https://hooks.example/waypoint", secret="whsec_" + "A" * 32)
        add(company, "blog_viewed", at("2026-03-02", 9))
        run("2026-03-02")
        add(company, "blog_viewed", at("2026-03-03", 9))
        add(company, "blog_viewed", at("2026-03-03", 10))  # the third within 14 days: Education
        with django_capture_on_commit_callbacks() as callbacks:
            summary = run("2026-03-03")
        assert (summary["continued"], summary["replayed"], summary["events"]) == (1, 0, 2)
        assert stored(company) == replayed(company, "2026-03-03")
        assert stored(company)[:2] == (200, "education")
        assert changes(company) == [("target", "education", at("2026-03-03", 10), 200, "event", True)]
        [notification] = Notification.objects.filter(user=csm)
        assert notification.title == f"{company.name} moved from Target to Education (2.00)"
        assert notification.link == f"/companies/{company.external_id}/"
        email = OutboxMessage.objects.get(channel="email")
        assert (email.recipient, email.subject) == (csm.email, notification.title)
        webhook = OutboxMessage.objects.get(channel="webhook")
        assert webhook.payload["type"] == "company.stage_changed"
        assert webhook.payload["data"] == {
            "company": company.external_id,
            "name": company.name,
            "from_stage": "target",
            "to_stage": "education",
            "score": 2.0,
            "at": at("2026-03-03", 10).isoformat(),
            "cause": "event",
            "event": "blog_viewed",
        }
        kicks = [callback for callback in callbacks if callback.__name__ == "_kick_relay"]
        assert len(kicks) == 1  # the relay is kicked once, after commit

    def test_a_late_event_replays_its_company_and_rewrites_its_history(self, company):
        add(company, "blog_viewed", at("2026-03-02"))
        add(company, "blog_viewed", at("2026-03-10"))
        run("2026-03-10")
        assert stored(company)[:2] == (25, "target")
        # Arrives later, occurred between the two: with them, three views within 14 days.
        add(company, "blog_viewed", at("2026-03-05"))
        summary = run("2026-03-11")
        assert (summary["replayed"], summary["continued"]) == (1, 0)
        assert stored(company) == replayed(company, "2026-03-11")
        assert stored(company)[:2] == (200, "education")
        # The late event is new to the workspace: the change it brings is news, although it is dated before
        # the previous run's end.
        assert changes(company) == [("target", "education", at("2026-03-10"), 200, "event", True)]
        assert Notification.objects.count() == 1

    def test_a_change_older_than_the_news_window_is_recorded_quietly(self, company, settings):
        settings.WAYPOINT_NOTIFY_WITHIN_DAYS = 7
        add(company, "blog_viewed", at("2026-03-30"))
        run("2026-03-30")
        add(company, "demo_requested", at("2026-03-22"))  # imported history: 8 days before the run's end
        add(company, "blog_viewed", at("2026-03-31", 9))
        run("2026-03-31")
        assert changes(company) == [
            ("target", "evaluation", at("2026-03-22"), 600, "event", False),  # 9 days before: history
            ("evaluation", "solution", at("2026-03-29"), 500, "decay", True),  # 2 days before: news
        ]
        assert Notification.objects.count() == 1

    def test_liveness_does_not_depend_on_when_runs_happen(self, company, settings):
        """A kick's run moves the scored moment past a batch its settle window left out; the next run scores
        the batch, and its change is notified (DESIGN §3.8): what decides is what was scored, not when."""
        add(company, "blog_viewed", at("2026-03-02", 9))
        journey_score(until=at("2026-03-02", 10))
        batch = [add(company, "blog_viewed", at("2026-03-03", 11, minute)) for minute in (0, 1)]
        # The kicked run's watermark leaves the batch out (it committed within the settle window)…
        newest = Event.objects.exclude(pk__in=[event.pk for event in batch]).order_by("-id").first()
        with mock.patch("journey.services.scoring.event_watermark", return_value=newest.pk):
            journey_score(until=at("2026-03-03", 11, 5))
        assert changes(company) == []
        # …the next run takes it: the change (dated before the previous run's end) is live, once.
        journey_score(until=at("2026-03-03", 11, 10))
        assert changes(company) == [("target", "education", at("2026-03-03", 11, 1), 200, "event", True)]
        assert Notification.objects.count() == 1
        journey_score(until=at("2026-03-03", 11, 15))
        assert Notification.objects.count() == 1

    def test_a_rebuild_never_notifies_a_change_twice_and_webhook_ids_stay(self, company, settings):
        WebhookEndpoint.objects.create(url="https://hooks.example/waypoint", secret="whsec_" + "A" * 32)
        add(company, "blog_viewed", at("2026-03-02", 9))
        run("2026-03-02")
        for hour in (9, 10):
            add(company, "blog_viewed", at("2026-03-03", hour))
        journey_score(until=at("2026-03-03", 12))  # a live run today: notified
        sent = set(OutboxMessage.objects.values_list("message_id", flat=True))
        assert Notification.objects.count() == 1 and len(sent) == 2  # an email and a webhook
        journey_rebuild(until=day_end(date(2026, 3, 2)))  # rebuilt to the end of yesterday
        # A late event before today's change: the next run replays the company and finds the change again.
        add(company, "report_downloaded", at("2026-03-03", 9, 30), attention_ratio=1.0)
        assert journey_score(until=at("2026-03-03", 14)).replayed == 1
        assert Notification.objects.count() == 1
        assert set(OutboxMessage.objects.values_list("message_id", flat=True)) == sent
        assert [change[-1] for change in changes(company)] == [True]

    def test_decay_is_applied_from_the_state_and_a_second_run_changes_nothing(self, company, mailoutbox):
        add(company, "proposal_viewed", at("2026-03-02", 10))
        run("2026-03-02")
        summary = run("2026-03-16")  # steps on the 9th and the 16th
        assert summary["decayed"] == 1 and summary["events"] == 0
        assert stored(company) == (700, "evaluation", at("2026-03-23", 10), at("2026-03-02", 10))
        assert changes(company)[-1] == (
            "ready_to_buy",
            "evaluation",
            at("2026-03-16", 10),
            700,
            "decay",
            True,
        )
        before = (
            stored(company),
            changes(company),
            OutboxMessage.objects.count(),
            Notification.objects.count(),
        )
        again = run("2026-03-16")
        assert (again["decayed"], again["changes"], again["notified"]) == (0, 0, 0)
        assert (
            stored(company),
            changes(company),
            OutboxMessage.objects.count(),
            Notification.objects.count(),
        ) == (before)

    def test_a_decay_demotion_goes_to_the_daily_digest(self, methodology, csm):
        companies = [CompanyFactory(csm=csm) for _ in range(3)]
        for company in companies:
            add(company, "proposal_viewed", at("2026-03-02", 10))
        run("2026-03-02")
        run("2026-03-16")
        [digest] = OutboxMessage.objects.filter(channel="email")
        assert digest.kind == "company.stage_demotions_digest"
        assert digest.subject == "3 of your companies lost a stage"
        assert all(company.name in digest.payload["body"] for company in companies)
        assert Notification.objects.filter(user=csm).count() == 3

    def test_the_decay_pass_reads_no_events_and_its_queries_do_not_grow_with_companies(self, methodology):
        def decay_queries(count: int) -> tuple[int, list[str]]:
            for _ in range(count):
                add(CompanyFactory(), "demo_requested", at("2026-03-02"))
            run("2026-03-02")
            with CaptureQueriesContext(connection) as queries:
                summary = run("2026-03-10")
            assert summary["decayed"] == JourneyState.objects.count() >= count
            JourneyState.objects.all().delete()
            JobRun.objects.all().delete()
            on_events = [q["sql"] for q in queries if 'FROM "companies_event"' in q["sql"]]
            return len(queries), on_events

        small, large = decay_queries(2), decay_queries(20)
        assert small[0] == large[0]
        # Events are only probed by id: the watermark and the (empty) range of new ones.
        assert len(large[1]) == 2 and all('"id"' in sql for sql in large[1])

    def test_two_runs_at_once_one_is_refused(self, company):
        held = lease_acquire("scoring", ttl=timedelta(minutes=5))
        try:
            with pytest.raises(LeaseHeld):
                run("2026-03-02")
            with pytest.raises(CommandError, match="Not running: scoring is already running") as refused:
                call_command("score_journeys", "--as-of", "2026-03-02", stdout=io.StringIO())
            assert refused.value.returncode == 75
        finally:
            lease_release(held)
        assert not JourneyState.objects.exists()
        run("2026-03-02")

    def test_a_run_that_fails_is_recorded_and_writes_nothing_of_its_chunk(self, company, monkeypatch):
        from journey.services import scoring

        run("2026-03-01")
        add(company, "demo_requested", at("2026-03-02"))
        monkeypatch.setattr(scoring, "stage_changes_notify", _boom)
        with pytest.raises(RuntimeError):
            run("2026-03-02")
        failed = JobRun.objects.filter(job="scoring").latest("started_at")
        assert (
            failed.status == JobRun.Status.FAILED
            and "RuntimeError: mail server on fire" in failed.detail["error"]
        )
        assert not JourneyState.objects.filter(score__gt=0).exists() and not StageChange.objects.exists()
        monkeypatch.undo()
        run("2026-03-02")  # the rerun picks the same events up
        assert stored(company)[:2] == (600, "evaluation")


def _boom(*args, **kwargs):
    raise RuntimeError("mail server on fire")


class TestRebuild:
    def test_a_rule_change_and_a_rebuild_give_the_replay_without_notifications(self, company, mailoutbox):
        add(company, "blog_viewed", at("2026-03-02"))
        run("2026-03-02")
        ScoringRule.objects.filter(event_name="blog_viewed").update(points=300)
        out = io.StringIO()
        call_command("score_journeys", "--rebuild", "--as-of", "2026-03-02", stdout=out)
        assert '"replayed": 1' in out.getvalue()
        assert stored(company) == replayed(company, "2026-03-02")
        assert stored(company)[:2] == (300, "education")
        assert changes(company) == [("target", "education", at("2026-03-02"), 300, "event", False)]
        assert not OutboxMessage.objects.exists() and not Notification.objects.exists()

    def test_a_company_without_events_left_loses_its_state(self, company):
        event = add(company, "demo_requested", at("2026-03-02"))
        run("2026-03-02")
        event.delete()
        journey_rebuild(until=day_end(date(2026, 3, 2)))
        assert not JourneyState.objects.filter(company=company).exists()
        assert not StageChange.objects.filter(company=company).exists()


class TestOutboxTransaction:
    def test_a_stage_change_that_rolls_back_sends_nothing(self, company, django_capture_on_commit_callbacks):
        from journey.services.notifications import stage_changes_notify

        WebhookEndpoint.objects.create(url="https://hooks.example/waypoint", secret="whsec_" + "A" * 32)
        add(company, "demo_requested", at("2026-03-02"))
        replayed = journey_replay(company=company, until=at("2026-03-03"))
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            assert (
                stage_changes_notify([(company.pk, replayed.result.changes[0])], replayed.scoring.config) == 1
            )
            assert OutboxMessage.objects.count() == 2  # written, inside the transaction
            raise RuntimeError("the change failed after its notifications were written")
        assert callbacks == []
        assert not OutboxMessage.objects.exists() and not Notification.objects.exists()


class TestEquivalence:
    """Whatever the order events arrive in and however runs fall between them, the stored state equals a
    replay, and the recorded stage changes equal a rebuild's."""

    NAMES = [
        "blog_viewed", "pricing_page_viewed", "features_page_viewed", "report_downloaded", "demo_requested",
        "proposal_viewed", "sales_meeting_attended", "unsubscribed", "competitor_visited", "session_started",
        "guide_downloaded",
    ]  # fmt: skip

    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_incremental_runs_equal_a_rebuild(self, methodology, seed):
        rng = random.Random(seed)
        companies = [CompanyFactory() for _ in range(4)]
        start = at("2026-03-01", 0)
        planned = []
        for company in companies:
            for _ in range(rng.randint(5, 25)):
                moment = start + timedelta(minutes=rng.randint(0, 50 * 24 * 60))
                name = rng.choice(self.NAMES)
                properties = {"attention_ratio": 1.5} if name == "report_downloaded" else {}
                if name == "session_started":
                    properties["duration_seconds"] = rng.randint(30, 900)
                planned.append((company, name, moment, f"s{rng.randint(1, 6)}", properties))
        rng.shuffle(planned)  # arrival order differs from occurrence order: many late events
        day = date(2026, 3, 1)
        batches = [planned[index : index + 7] for index in range(0, len(planned), 7)]
        for batch in batches:
            for company, name, moment, session, properties in batch:
                add(company, name, moment, session=session, **properties)
            day += timedelta(days=rng.randint(0, 4))
            journey_score(until=day_end(day))
        final = max(day, date(2026, 4, 25))
        journey_score(until=day_end(final))
        incremental = {c.pk: (stored(c), changes_without_live(c)) for c in companies}
        for company in companies:
            assert stored(company) == replayed(company, final.isoformat())
        journey_rebuild(until=day_end(final))
        assert {c.pk: (stored(c), changes_without_live(c)) for c in companies} == incremental


def changes_without_live(company) -> list[tuple]:
    return [change[:-1] for change in changes(company)]
