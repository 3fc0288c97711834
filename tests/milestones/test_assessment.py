"""The milestone engine against the database: exact achievement dates, window ends, the workspace day
boundary, position, stuck, health, snapshots, idempotency, late data and interrupted runs."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from companies.models import Company
from core.days import yesterday
from core.locks import LeaseHeld, lease_acquire
from core.models import JobLock, JobRun
from milestones.models import CompanyProgress, Criterion, CTARule, FunnelSnapshot, HealthSettings
from milestones.services import runs
from tests.factories import CompanyFactory
from tests.milestones.helpers import (
    achieved,
    add_events,
    add_metric,
    assess,
    count,
    metric,
    milestone,
    on,
    ratio,
)

pytestmark = pytest.mark.django_db

LEAD_GENERATION = (
    count("tracking_code_installed", 1),
    count("landing_page_published", 1),
    metric("landing_page_conversion_rate", 0.15),
    count("lead_created", 50),
    count("lead_qualified", 3),
)


@pytest.fixture
def lead_generation():
    return milestone("lead-generation", *LEAD_GENERATION)


@pytest.fixture
def customer():
    return CompanyFactory(customer_since=date(2026, 1, 5))


def set_up_lead_generation(company, *, fiftieth_lead="2026-03-02"):
    add_events(company, "tracking_code_installed", "2026-01-10")
    add_events(company, "landing_page_published", "2026-01-15")
    add_metric(company, "landing_page_conversion_rate", "2026-02-01", 0.18)
    add_events(company, "lead_qualified", "2026-02-20", 3)
    add_events(company, "lead_created", "2026-02-01", 30)
    add_events(company, "lead_created", "2026-02-25", 19)
    add_events(company, "lead_created", fiftieth_lead)
    add_events(company, "lead_created", "2026-04-01", 10)


class TestAchievementDates:
    def test_the_day_of_the_50th_lead(self, lead_generation, customer):
        set_up_lead_generation(customer)
        assess("2026-06-30")
        assert achieved(customer) == {"lead-generation": "2026-03-02"}

    def test_not_before_that_day(self, lead_generation, customer):
        set_up_lead_generation(customer)
        assess("2026-03-01")
        assert achieved(customer) == {}
        assess("2026-03-02")
        assert achieved(customer) == {"lead-generation": "2026-03-02"}

    def test_a_metric_that_crosses_and_falls_back(self, lead_generation, customer):
        set_up_lead_generation(customer)
        add_metric(
            customer, "landing_page_conversion_rate", "2026-02-20", 0.12
        )  # below when the 50th lead comes
        add_metric(customer, "landing_page_conversion_rate", "2026-03-15", 0.16)
        assess("2026-06-30")
        assert achieved(customer) == {"lead-generation": "2026-03-15"}

    def test_a_windowed_count_that_held_lapsed_and_held_again(self, customer):
        milestone(
            "content-traffic", count("blog_post_published", 4, window=60), metric("monthly_visits", 1000)
        )
        for day in ("2026-01-10", "2026-01-20", "2026-02-01", "2026-02-15"):  # 4 in 60 days: 02-15 … 03-10
            add_events(customer, "blog_post_published", day)
        add_metric(customer, "monthly_visits", "2026-03-20", 1200)  # visits arrive after the posts lapsed
        for day in ("2026-06-01", "2026-06-10", "2026-06-20", "2026-07-01"):
            add_events(customer, "blog_post_published", day)
        assess("2026-09-30")
        assert achieved(customer) == {"content-traffic": "2026-07-01"}

    def test_a_window_includes_both_its_ends(self):
        milestone("content", count("blog_post_published", 4, window=60))
        inside, outside = (
            CompanyFactory(customer_since=date(2025, 12, 1)),
            CompanyFactory(customer_since=date(2025, 12, 1)),
        )
        add_events(inside, "blog_post_published", "2026-01-01")  # day 1 of the 60 ending on 2026-03-01
        add_events(inside, "blog_post_published", "2026-03-01", 3)
        add_events(outside, "blog_post_published", "2026-01-01")  # one day too early for 2026-03-02
        add_events(outside, "blog_post_published", "2026-03-02", 3)
        assess("2026-03-31")
        assert achieved(inside) == {"content": "2026-03-01"}
        assert achieved(outside) == {}

    def test_a_ratio_needs_its_minimum_denominator(self, customer):
        milestone("lead-scoring", ratio("lead_qualified", "lead_created", 0.15, 90, 100))
        add_events(customer, "lead_created", "2026-02-01", 20)
        add_events(customer, "lead_qualified", "2026-02-01", 10)  # 50% of 20 leads: too few leads
        add_events(customer, "lead_created", "2026-03-01", 80)  # 10 of 100: 10%
        add_events(customer, "lead_qualified", "2026-03-10", 5)  # 15 of 100: exactly 15%
        assess("2026-02-28")
        assert achieved(customer) == {}
        assess("2026-04-30")
        assert achieved(customer) == {"lead-scoring": "2026-03-10"}

    def test_a_property_condition_counts_only_matching_events(self, customer):
        milestone(
            "webinars",
            count(
                "webinar_attended",
                2,
                property_key="percent_watched",
                property_operator="gt",
                property_value="75",
            ),
        )
        add_events(customer, "webinar_attended", "2026-02-01", properties={"percent_watched": 90})
        add_events(customer, "webinar_attended", "2026-02-05", properties={"percent_watched": 75})
        add_events(
            customer, "webinar_attended", "2026-02-07", properties={"percent_watched": "99"}
        )  # a string
        add_events(customer, "webinar_attended", "2026-02-09", properties={"percent_watched": 76})
        assess("2026-02-28")
        assert achieved(customer) == {"webinars": "2026-02-09"}

    def test_no_achievement_before_the_customer_started(self):
        milestone("setup", count("tracking_code_installed", 1))
        company = CompanyFactory(customer_since=date(2026, 3, 1))
        add_events(company, "tracking_code_installed", "2026-02-10")  # during the trial
        assess("2026-03-31")
        assert achieved(company) == {"setup": "2026-03-01"}

    def test_an_achievement_keeps_its_date(self, customer):
        milestone("content", count("blog_post_published", 1, window=7))
        add_events(customer, "blog_post_published", "2026-02-01")
        assess("2026-02-01")
        assess("2026-03-31")  # the window lapsed long ago
        assert achieved(customer) == {"content": "2026-02-01"}


class TestDayBoundary:
    def test_the_day_is_the_workspace_day(self, settings):
        settings.TIME_ZONE = "America/Sao_Paulo"  # UTC-3
        milestone("setup", count("tracking_code_installed", 1))
        late_evening = CompanyFactory(customer_since=date(2026, 1, 5))
        after_midnight = CompanyFactory(customer_since=date(2026, 1, 5))
        # 2026-03-03 01:30 UTC is 22:30 on 2026-03-02 in São Paulo; 03:30 UTC is 00:30 on 2026-03-03.
        add_events(late_evening, "tracking_code_installed", "2026-03-02", hour=22)
        add_events(after_midnight, "tracking_code_installed", "2026-03-03", hour=0)
        assess("2026-03-02")
        assert achieved(late_evening) == {"setup": "2026-03-02"}
        assert achieved(after_midnight) == {}
        assess("2026-03-03")
        assert achieved(after_midnight) == {"setup": "2026-03-03"}
        assert on("2026-03-02", 22).utcoffset() == timedelta(hours=-3)


class TestPosition:
    @pytest.fixture
    def two_steps(self):
        first = milestone("first", count("a", 1), order=1)
        second = milestone("second", count("b", 1), order=2)
        return first, second

    def test_an_out_of_order_achievement_does_not_advance_the_position(self, two_steps, customer):
        first, _ = two_steps
        add_events(customer, "b", "2026-02-01")
        add_events(customer, "a", "2026-03-01")
        assess("2026-02-15")
        progress = CompanyProgress.objects.get(company=customer)
        assert achieved(customer) == {"second": "2026-02-01"}
        assert (progress.position, progress.current_milestone, progress.position_since) == (
            0,
            first,
            date(2026, 1, 5),
        )
        assert progress.days_at_position == 41
        assess("2026-03-31")
        progress.refresh_from_db()
        assert (progress.position, progress.current_milestone, progress.position_since) == (
            2,
            None,
            date(2026, 3, 1),
        )
        assert progress.days_at_position == 30

    def test_stuck_after_more_days_than_the_rule_allows(self, two_steps, customer):
        _, second = two_steps
        CTARule.objects.create(name="stuck at the second", milestone=second, min_days_at_position=30)
        add_events(customer, "a", "2026-01-10")
        assess("2026-02-09")  # 30 days at position: not more than 30
        assert CompanyProgress.objects.get(company=customer).stuck_since is None
        assess("2026-02-10")
        progress = CompanyProgress.objects.get(company=customer)
        assert (progress.days_at_position, progress.stuck_since) == (31, date(2026, 2, 10))

    def test_an_any_milestone_rule_applies_at_position_zero(self, two_steps, customer):
        CTARule.objects.create(name="same milestone 90 days", milestone=None, min_days_at_position=90)
        assess("2026-04-05")  # customer since 2026-01-05: day 90 is 2026-04-05
        assert CompanyProgress.objects.get(company=customer).stuck_since is None
        assess("2026-04-06")
        assert CompanyProgress.objects.get(company=customer).stuck_since == date(2026, 4, 6)

    def test_a_churned_company_is_assessed_only_for_its_days_as_a_customer(self, two_steps):
        company = CompanyFactory(
            customer_since=date(2026, 1, 5), lifecycle=Company.Lifecycle.CHURNED, churned_on=date(2026, 2, 10)
        )
        add_events(company, "a", "2026-02-01")  # while a customer
        add_events(company, "b", "2026-02-10")  # the day it churned: not a customer any more
        assess("2026-03-31")
        progress = CompanyProgress.objects.get(company=company)
        assert achieved(company) == {"first": "2026-02-01"}
        assert (progress.active, progress.position, progress.stuck_since) == (False, 1, None)
        assert progress.assessed_through == date(2026, 2, 9)

    def test_a_churned_company_keeps_its_achievements_and_position(self, two_steps, customer):
        add_events(customer, "a", "2026-02-01")
        assess("2026-02-05")
        Company.objects.filter(pk=customer.pk).update(lifecycle="churned", churned_on=date(2026, 2, 20))
        add_events(customer, "b", "2026-03-01")
        assess("2026-03-31")
        progress = CompanyProgress.objects.get(company=customer)
        assert achieved(customer) == {"first": "2026-02-01"}
        assert (progress.active, progress.position, progress.days_at_position) == (False, 1, 19)


class TestHealth:
    def test_health_is_60_activity_and_40_key_actions(self, customer):
        milestone("first", count("a", 1))
        HealthSettings.objects.update_or_create(
            id=1,
            defaults={
                "window_days": 30,
                "activity_weight": 60,
                "key_action_weight": 40,
                "key_actions": ["a", "b", "c", "d"],
            },
        )
        add_events(customer, "c", "2026-03-01")  # the day before the window: does not count
        add_events(customer, "d", "2026-03-02")  # first day of the 30 ending 2026-03-31
        for day in range(3, 14):  # 11 more active days, two events on one of them
            add_events(customer, "a" if day % 2 else "b", f"2026-03-{day:02d}")
        add_events(customer, "session_started", "2026-03-13", hour=18)
        assess("2026-03-31")
        progress = CompanyProgress.objects.get(company=customer)
        # 60 × 12/30 + 40 × 3/4 = 24 + 30
        assert (
            progress.health,
            progress.active_days,
            progress.key_actions_used,
            progress.key_actions_total,
        ) == (
            54,
            12,
            3,
            4,
        )


class TestSnapshot:
    def test_the_days_funnel_is_counted_per_position_and_dimension(self, settings):
        first = milestone("first", count("a", 1), order=1)
        second = milestone("second", count("b", 1), order=2)
        CTARule.objects.create(name="stuck", milestone=second, min_days_at_position=10)
        smb = [CompanyFactory(customer_since=date(2026, 1, 5), segment="SMB") for _ in range(3)]
        CompanyFactory(customer_since=date(2026, 2, 10), segment="Enterprise")
        gone = CompanyFactory(
            customer_since=date(2026, 1, 5), segment="SMB", lifecycle="churned", churned_on=date(2026, 2, 1)
        )
        for company in (smb[0], smb[1], gone):
            add_events(company, "a", "2026-01-20")
        add_events(smb[0], "b", "2026-02-01")
        assess("2026-01-31")  # gone is still a customer on this day
        assess("2026-03-01")
        cells = {
            (row.position, row.segment, row.cohort.isoformat()): (row.customers, row.stuck, row.churned)
            for row in FunnelSnapshot.objects.filter(as_of=date(2026, 3, 1))
        }
        assert cells == {
            (0, "SMB", "2026-01-01"): (1, 0, 0),
            (1, "SMB", "2026-01-01"): (
                1,
                1,
                1,
            ),  # smb[1] stuck at the second since 2026-01-31; gone churned there
            (2, "SMB", "2026-01-01"): (1, 0, 0),
            (0, "Enterprise", "2026-02-01"): (1, 0, 0),
        }
        assert FunnelSnapshot.objects.get(as_of=date(2026, 3, 1), position=1).milestone == second
        assert (
            FunnelSnapshot.objects.get(as_of=date(2026, 3, 1), position=0, segment="Enterprise").milestone
            == first
        )
        assert FunnelSnapshot.objects.filter(as_of=date(2026, 1, 31)).exists()


class TestReruns:
    def test_a_second_run_for_the_same_day_changes_nothing(self, lead_generation, customer):
        set_up_lead_generation(customer)
        other = CompanyFactory(customer_since=date(2026, 2, 1))
        add_events(other, "lead_created", "2026-03-01", 10)

        def state():
            return (
                sorted(achieved(customer).items()) + sorted(achieved(other).items()),
                list(
                    CompanyProgress.objects.order_by("company_id")
                    .values()
                    .values_list(
                        "company_id",
                        "position",
                        "position_since",
                        "days_at_position",
                        "stuck_since",
                        "health",
                        "assessed_through",
                    )
                ),
                list(
                    FunnelSnapshot.objects.order_by("id").values_list(
                        "position", "segment", "customers", "stuck"
                    )
                ),
            )

        assess("2026-04-30")
        first = state()
        summary = assess("2026-04-30")
        assert state() == first
        assert (summary["assessed"], summary["achievements"]) == (0, 0)

    def test_a_run_killed_halfway_converges_when_run_again(self, settings, lead_generation):
        settings.WAYPOINT_ASSESS_CHUNK = 2
        companies = [CompanyFactory(customer_since=date(2026, 1, 5)) for _ in range(5)]
        for company in companies:
            set_up_lead_generation(company)
        real = runs.assess_chunk
        calls = {"n": 0}

        def dies_on_the_second_chunk(**kwargs):
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("worker killed")
            return real(**kwargs)

        with (
            mock.patch("milestones.services.runs.assess_chunk", side_effect=dies_on_the_second_chunk),
            pytest.raises(RuntimeError),
        ):
            assess("2026-06-30")
        assert JobRun.objects.get().status == JobRun.Status.FAILED
        assert sum(bool(achieved(company)) for company in companies) == 2  # the first chunk committed
        assess("2026-06-30")
        assert all(achieved(company) == {"lead-generation": "2026-03-02"} for company in companies)
        assert CompanyProgress.objects.filter(position=1).count() == 5

    def test_a_dead_runs_lease_lapses_and_the_next_run_takes_over(self, lead_generation, customer):
        set_up_lead_generation(customer)
        lease_acquire(runs.LOCK, ttl=timedelta(minutes=15))  # a run that died without freeing the lease
        JobRun.objects.create(job="daily", as_of=date(2026, 6, 29))
        with pytest.raises(LeaseHeld, match="already running"):
            assess("2026-06-30")
        JobLock.objects.filter(name=runs.LOCK).update(expires_at=on("2026-01-01"))
        assess("2026-06-30")
        assert achieved(customer) == {"lead-generation": "2026-03-02"}
        dead = JobRun.objects.get(as_of=date(2026, 6, 29))
        assert dead.status == JobRun.Status.ABANDONED and dead.finished_at is not None

    def test_the_command_says_when_another_run_holds_the_lock(self, capsys):
        lease_acquire(runs.LOCK, ttl=timedelta(minutes=15))
        with pytest.raises(CommandError, match="Not running: daily is already running") as refused:
            call_command("run_daily", "--as-of", "2026-06-30")
        assert refused.value.returncode == 75  # EX_TEMPFAIL: cron and monitoring see that it did not run


class TestLateData:
    def test_events_that_arrive_late_give_the_true_date(self, customer):
        milestone("first", count("a", 1), count("b", 1))
        add_events(customer, "a", "2026-02-01")
        for day in ("2026-03-01", "2026-03-02", "2026-03-03"):
            assess(day)
        assert achieved(customer) == {}
        add_events(customer, "b", "2026-02-10")  # received now, occurred weeks ago
        summary = assess("2026-03-04")
        assert summary["from_history"] == 1
        assert achieved(customer) == {"first": "2026-02-10"}

    def test_skipped_days_are_caught_up(self, customer):
        milestone("first", count("a", 1, window=3))
        assess("2026-03-01")
        add_events(customer, "a", "2026-03-05")  # holds 03-05 … 03-07 only
        assess("2026-03-20")  # the runs of 03-02 … 03-19 never happened
        assert achieved(customer) == {"first": "2026-03-05"}


class TestRebuild:
    def test_a_checklist_change_applies_to_the_past_only_on_rebuild(self, customer):
        first = milestone("first", count("a", 2))
        for day in ("2026-01-10", "2026-01-20", "2026-01-30"):
            add_events(customer, "a", day)
        assess("2026-02-28")
        assert achieved(customer) == {"first": "2026-01-20"}
        Criterion.objects.filter(milestone=first).update(threshold=3)
        assess("2026-03-01")
        assert achieved(customer) == {"first": "2026-01-20"}
        assess("2026-03-01", rebuild=True)
        assert achieved(customer) == {"first": "2026-01-30"}

    def test_a_rebuild_of_an_older_day_is_followed_by_the_days_after_it(self, customer):
        milestone("first", count("a", 1))
        add_events(customer, "a", "2026-03-05")
        assess("2026-03-05")
        assert achieved(customer) == {"first": "2026-03-05"}
        assess("2026-03-04", rebuild=True)  # re-derived through 03-04: not achieved yet then
        assert achieved(customer) == {}
        assess("2026-03-06")  # the next run covers 03-05 again
        assert achieved(customer) == {"first": "2026-03-05"}


class TestCommands:
    def test_assess_milestones_reports_what_it_did(self, lead_generation, customer, capsys):
        set_up_lead_generation(customer)
        call_command("assess_milestones", "--as-of", "2026-06-30")
        out = capsys.readouterr().out
        assert '"as_of": "2026-06-30"' in out and '"achievements": 1' in out

    def test_without_as_of_the_run_assesses_yesterday(self, customer):
        milestone("first", count("a", 1))
        call_command("run_daily")
        assert CompanyProgress.objects.get(company=customer).as_of == yesterday()
