"""generate_ctas: which companies get a CTA on which day, and what a second run, a snooze, a close, a churn,
a cover or a missing CSM change. Stuck rules fire from day min_days + 1 at the position (more than 30
days: day 30 no, day 31 yes), as the assessment's "stuck" does."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from accounts.models import Cover, Notification
from companies.models import Company
from ctas import rules
from ctas.models import CTA, CTAChange, CTATask
from ctas.services.generate import NotAssessed, ctas_generate
from ctas.services.lifecycle import cta_close, cta_snooze
from milestones.models import CTARule, CTAType
from tests.ctas.helpers import customer, day
from tests.factories import UserFactory
from tests.milestones.helpers import add_events, assess

pytestmark = pytest.mark.django_db


def test_day_30_at_the_position_is_not_stuck_day_31_is(csm, stuck_rule):
    company = customer(csm, first_on="2026-01-10")  # position 1 since Jan 10
    assert day("2026-02-09").created == {}  # 30 days at the position
    assert not CTA.objects.exists()
    result = day("2026-02-10")  # 31 days
    assert result.created == {"EBR stuck at the second": 1}
    cta = CTA.objects.get()
    assert (cta.company, cta.owner, cta.status, cta.milestone.key) == (company, csm, "open", "second")
    assert (cta.created_on, cta.due_on) == (date(2026, 2, 10), date(2026, 2, 24))  # due in 14 days
    assert cta.days_at_position == 31
    assert cta.reason == "EBR stuck at the second"


def test_the_playbook_becomes_the_tasks_with_due_dates_and_the_owner_is_notified(csm, stuck_rule):
    company = customer(csm)
    day("2026-02-10")
    cta = CTA.objects.get()
    assert [(t.order, t.title, t.due_on, t.done_at) for t in cta.tasks.order_by("order")] == [
        (1, "Review the account", date(2026, 2, 10), None),
        (2, "Hold the EBR", date(2026, 2, 17), None),
    ]
    notification = Notification.objects.get(user=csm)
    assert notification.title == f"EBR for {company.name}"
    assert notification.link == f"/ctas/{cta.pk}/"
    assert [(c.field, c.from_value, c.to_value, c.by) for c in cta.changes.all()] == [
        ("status", "", "open", None)
    ]


def test_a_second_run_of_the_day_changes_nothing(csm, stuck_rule):
    customer(csm)
    day("2026-02-10")
    counts = (
        CTA.objects.count(),
        CTATask.objects.count(),
        CTAChange.objects.count(),
        Notification.objects.count(),
    )
    again = ctas_generate(as_of=date(2026, 2, 10))
    assert (again.created, again.tasks, again.notifications, again.woken, again.due_moved) == ({}, 0, 0, 0, 0)
    assert again.priorities == 0  # nothing to rewrite either
    assert counts == (1, 2, 1, 1)
    assert (
        CTA.objects.count(),
        CTATask.objects.count(),
        CTAChange.objects.count(),
        Notification.objects.count(),
    ) == counts


def test_the_rule_firing_on_later_days_keeps_one_open_cta(csm, stuck_rule):
    customer(csm)
    day("2026-02-10")
    day("2026-02-11")
    day("2026-03-20")
    cta = CTA.objects.get()
    assert cta.due_on == date(2026, 2, 24)  # not pushed back: the due date only moves earlier
    assert cta.days_at_position == 69  # refreshed each day


def test_the_database_refuses_a_second_cta_of_a_type_that_is_not_closed(csm, stuck_rule):
    customer(csm)
    day("2026-02-10")
    cta = CTA.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        CTA.objects.create(
            company=cta.company, cta_type=cta.cta_type, due_on=cta.due_on, created_on=cta.created_on
        )


def test_a_day_the_assessment_has_not_assessed_is_refused(csm, stuck_rule):
    customer(csm)
    with pytest.raises(NotAssessed, match="has not assessed 2026-02-10"):
        ctas_generate(as_of=date(2026, 2, 10))
    assess("2026-02-10")
    with pytest.raises(NotAssessed, match="describe 2026-02-10"):
        ctas_generate(as_of=date(2026, 2, 9))
    with pytest.raises(CommandError, match="run assess_milestones --as-of 2026-02-11 first"):
        call_command("generate_ctas", "--as-of", "2026-02-11")
    assert not CTA.objects.exists()


def test_a_snoozed_cta_is_not_recreated_and_wakes_when_its_snooze_ends(csm, stuck_rule, time_machine_today):
    customer(csm)
    day("2026-02-10")
    cta = CTA.objects.get()
    time_machine_today(date(2026, 2, 11))
    cta_snooze(user=csm, cta_id=cta.pk, until=date(2026, 3, 1), reason="Sponsor on leave")
    day("2026-02-28")
    cta.refresh_from_db()
    assert (cta.status, CTA.objects.count()) == ("snoozed", 1)
    day("2026-03-01")
    cta.refresh_from_db()
    assert (cta.status, cta.snoozed_until, CTA.objects.count()) == ("open", None, 1)
    assert cta.changes.filter(field="status", from_value="snoozed", to_value="open", by=None).exists()


def test_after_a_close_the_cooldown_holds_new_ctas_back(csm, stuck_rule, time_machine_today):
    customer(csm)
    day("2026-02-10")
    time_machine_today(date(2026, 2, 12))
    cta_close(user=csm, cta_id=CTA.objects.get().pk, outcome="done", note="Held the EBR")
    day("2026-03-04")  # closed Feb 12 + 20 days of cooldown: still held back
    assert CTA.objects.count() == 1
    day("2026-03-05")
    assert CTA.objects.count() == 2
    assert CTA.objects.filter(status="open", created_on=date(2026, 3, 5)).exists()


def test_ctas_close_themselves_when_the_company_moves_past_the_milestone(csm, stuck_rule):
    company = customer(csm)
    day("2026-02-10")
    add_events(company, "b", "2026-02-15")
    result = day("2026-02-16")
    cta = CTA.objects.get()
    assert result.closed_milestone_achieved == 1
    assert (cta.status, cta.outcome, cta.closed_on) == ("closed", "milestone_achieved", date(2026, 2, 16))
    assert list(cta.changes.filter(by=None).values_list("field", "to_value"))[-2:] == [
        ("status", "closed"),
        ("outcome", "milestone_achieved"),
    ]


def test_ctas_close_when_the_company_churns(csm, stuck_rule):
    company = customer(csm)
    day("2026-02-10")
    Company.objects.filter(pk=company.pk).update(lifecycle="churned", churned_on=date(2026, 2, 14))
    result = day("2026-02-15")
    cta = CTA.objects.get()
    assert result.closed_churned == 1
    assert (cta.status, cta.outcome, cta.closed_on) == ("closed", "churned", date(2026, 2, 15))
    day("2026-02-16")
    assert CTA.objects.count() == 1  # a churned company gets no new CTA


def test_the_owner_is_the_csm_or_the_colleague_covering_or_the_pool(csm, other_csm, stuck_rule):
    gone = UserFactory(username="gone", is_active=False)
    mine, covered, orphan, left = (
        customer(csm, name="Mine"),
        customer(other_csm, name="Covered"),
        customer(None, name="Orphan"),
        customer(gone, name="Left"),
    )
    Cover.objects.create(
        csm=other_csm, covered_by=csm, starts_on=date(2026, 2, 10), ends_on=date(2026, 2, 20)
    )
    day("2026-02-10")
    owners = dict(CTA.objects.values_list("company__name", "owner__username"))
    assert owners == {"Mine": "alice", "Covered": "alice", "Orphan": None, "Left": None}
    notification = Notification.objects.get(user=csm)  # one per owner and run
    assert (notification.title, notification.link) == ("2 new CTAs in your queue", "/queue/")
    assert {mine.pk, covered.pk, orphan.pk, left.pk} == set(CTA.objects.values_list("company_id", flat=True))


def test_a_cover_that_ended_does_not_count(csm, other_csm, stuck_rule):
    customer(other_csm)
    Cover.objects.create(csm=other_csm, covered_by=csm, starts_on=date(2026, 2, 1), ends_on=date(2026, 2, 9))
    day("2026-02-10")
    assert CTA.objects.get().owner == other_csm


def test_a_recurring_rule_opens_one_cta_per_interval(csm, ebr, two_milestones, time_machine_today):
    qbr = CTAType.objects.get_or_create(slug="qbr", defaults={"name": "QBR"})[0]
    CTARule.objects.create(name="QBR", trigger="recurring", every_days=91, cta_type=qbr, cooldown_days=0)
    customer(csm, first_on=None)
    day("2026-02-10")
    assert CTA.objects.filter(cta_type=qbr).count() == 1
    time_machine_today(date(2026, 2, 10))
    cta_close(user=csm, cta_id=CTA.objects.get().pk, outcome="done")
    day("2026-05-11")  # 90 days after: not yet
    assert CTA.objects.count() == 1
    day("2026-05-12")  # 91 days after the last one opened
    assert CTA.objects.count() == 2


def test_the_priority_parts_are_the_rule_of_ctas_rules(csm, other_csm, stuck_rule):
    low = customer(csm, name="Low", mrr=100)
    high = customer(other_csm, name="High", mrr=5000)
    customer(csm, name="Middle", mrr=1000, first_on=None)  # a customer too: counts in the MRR ranks
    day("2026-02-20")  # 41 days at the position; due Mar 6, 14 days ahead
    for company, rank in ((low, 0), (high, 100)):
        cta = CTA.objects.get(company=company)
        expected = rules.priority_of(days_at_position=41, mrr_rank=rank, health=cta.health, days_to_due=14)
        assert (cta.mrr_rank, cta.score_days, cta.score_mrr, cta.score_health, cta.score_due) == (
            rank,
            expected.days,
            expected.mrr,
            expected.health,
            expected.due,
        )
        assert cta.priority_score == expected.total
    assert rules.priority_of(
        days_at_position=41, mrr_rank=100, health=None, days_to_due=14
    ) == rules.Priority(7, 25, 0, 0)
    assert rules.priority_of(days_at_position=400, mrr_rank=50, health=40, days_to_due=-3) == rules.Priority(
        30, 13, 15, 20
    )
    assert rules.priority_of(days_at_position=0, mrr_rank=0, health=100, days_to_due=7).due == 10


def test_the_daily_run_generates_the_ctas_after_the_assessment(csm, stuck_rule):
    from daily.services import daily_run_inline

    customer(csm)
    report = daily_run_inline(as_of=date(2026, 2, 10), scores=False)
    assert report["ctas"]["created"] == {"EBR stuck at the second": 1}
    assert CTA.objects.count() == 1


def test_the_command_prints_the_summary(csm, stuck_rule, capsys):
    customer(csm)
    assess("2026-02-10")
    call_command("generate_ctas", "--as-of", "2026-02-10")
    assert '"created": {"EBR stuck at the second": 1}' in capsys.readouterr().out
