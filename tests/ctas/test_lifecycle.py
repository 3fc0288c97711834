"""What people do to CTAs: each change recorded (who, when, from, to), the rules of each state, who may
act (forged requests meet a 404), bulk changes all or none, the pool dealt round-robin, CTAs by hand, and
cover."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import Cover
from accounts.services import cover_end, cover_set
from companies.models import Company
from ctas.models import CTA
from ctas.selectors import cta_can_act, ctas_visible
from ctas.services import lifecycle
from tests.ctas.helpers import customer, day
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 2, 12)


@pytest.fixture
def cta(csm, stuck_rule, time_machine_today):
    customer(csm, name="Acme")
    day("2026-02-10")
    time_machine_today(TODAY)
    return CTA.objects.get()


def history(cta):
    return [
        (c.by.username if c.by else None, c.field, c.from_value, c.to_value)
        for c in cta.changes.order_by("id")
    ]


def test_start_snooze_wake_close_each_recorded(csm, cta):
    lifecycle.cta_start(user=csm, cta_id=cta.pk)
    lifecycle.cta_snooze(user=csm, cta_id=cta.pk, until=date(2026, 3, 1), reason="Sponsor away")
    lifecycle.cta_wake(user=csm, cta_id=cta.pk)
    lifecycle.cta_close(user=csm, cta_id=cta.pk, outcome="done", note="EBR held, plan agreed")
    cta.refresh_from_db()
    assert (cta.status, cta.outcome, cta.closed_on, cta.note) == (
        "closed",
        "done",
        TODAY,
        "EBR held, plan agreed",
    )
    assert history(cta) == [
        (None, "status", "", "open"),
        ("alice", "status", "open", "in_progress"),
        ("alice", "status", "in_progress", "snoozed"),
        ("alice", "snoozed_until", "", "2026-03-01"),
        ("alice", "reason", "EBR stuck at the second", "Sponsor away"),
        ("alice", "status", "snoozed", "open"),
        ("alice", "snoozed_until", "2026-03-01", ""),
        ("alice", "status", "open", "closed"),
        ("alice", "outcome", "", "done"),
        ("alice", "note", "", "EBR held, plan agreed"),
    ]


@pytest.mark.parametrize(
    ("until", "reason", "field"),
    [(None, "why", "snoozed_until"), (TODAY, "why", "snoozed_until"), (date(2026, 3, 1), "  ", "reason")],
)
def test_a_snooze_needs_a_later_day_and_a_reason(csm, cta, until, reason, field):
    with pytest.raises(ValidationError) as error:
        lifecycle.cta_snooze(user=csm, cta_id=cta.pk, until=until, reason=reason)
    assert field in error.value.message_dict
    cta.refresh_from_db()
    assert cta.status == "open"


def test_a_closed_cta_stays_closed(csm, cta):
    lifecycle.cta_close(user=csm, cta_id=cta.pk, outcome="not_needed")
    for action in (
        lambda: lifecycle.cta_start(user=csm, cta_id=cta.pk),
        lambda: lifecycle.cta_close(user=csm, cta_id=cta.pk, outcome="done"),
        lambda: lifecycle.cta_snooze(user=csm, cta_id=cta.pk, until=date(2026, 3, 1), reason="x"),
    ):
        with pytest.raises(ValidationError, match="closed on Feb 12, 2026"):
            action()


def test_people_close_with_their_outcomes_not_churned(csm, cta):
    with pytest.raises(ValidationError, match="Choose an outcome"):
        lifecycle.cta_close(user=csm, cta_id=cta.pk, outcome="churned")


def test_checking_off_a_task_records_who_and_when(csm, cta):
    task = cta.tasks.get(order=2)
    lifecycle.cta_task_set(user=csm, cta_id=cta.pk, task_id=task.pk, done=True)
    task.refresh_from_db()
    assert (task.done_by, task.done_at.date()) == (csm, TODAY)
    lifecycle.cta_task_set(user=csm, cta_id=cta.pk, task_id=task.pk, done=False)
    task.refresh_from_db()
    assert (task.done_by, task.done_at) == (None, None)
    assert history(cta)[-2:] == [("alice", "task 2", "to do", "done"), ("alice", "task 2", "done", "to do")]


def test_another_csm_cannot_act_or_even_see(csm, other_csm, cta):
    for action in (
        lambda: lifecycle.cta_start(user=other_csm, cta_id=cta.pk),
        lambda: lifecycle.cta_close(user=other_csm, cta_id=cta.pk, outcome="done"),
        lambda: lifecycle.cta_task_set(
            user=other_csm, cta_id=cta.pk, task_id=cta.tasks.first().pk, done=True
        ),
        lambda: lifecycle.ctas_bulk_close(user=other_csm, cta_ids=[cta.pk], outcome="done"),
    ):
        with pytest.raises(Http404):
            action()
    assert not ctas_visible(user=other_csm).exists()
    cta.refresh_from_db()
    assert cta.status == "open" and cta.tasks.filter(done_at__isnull=False).count() == 0


def test_a_task_of_another_cta_is_not_found(csm, cta, other_csm, stuck_rule):
    theirs = customer(other_csm, name="Theirs")
    day("2026-02-10")
    their_task = CTA.objects.get(company=theirs).tasks.first()
    with pytest.raises(Http404):
        lifecycle.cta_task_set(user=csm, cta_id=cta.pk, task_id=their_task.pk, done=True)


def test_a_covering_csm_sees_the_colleagues_ctas_read_only_and_acts_on_the_new_ones(csm, other_csm, cta):
    cover_set(csm=csm, covered_by=other_csm, starts_on=TODAY, ends_on=date(2026, 2, 20), by=csm)
    assert list(ctas_visible(user=other_csm)) == [cta]
    assert not cta_can_act(user=other_csm, cta=cta)  # Alice's CTA: read-only for Bob
    with pytest.raises(Http404):
        lifecycle.cta_start(user=other_csm, cta_id=cta.pk)
    assert Company.objects.visible_to(other_csm).get() == cta.company


def test_cover_periods_do_not_overlap_and_only_managers_set_others(csm, other_csm, manager):
    cover_set(csm=csm, covered_by=other_csm, starts_on=TODAY, ends_on=date(2026, 2, 20), by=csm)
    with pytest.raises(ValidationError, match="already covered by Bob Silva from Feb 12 to Feb 20, 2026"):
        cover_set(
            csm=csm, covered_by=other_csm, starts_on=date(2026, 2, 20), ends_on=date(2026, 2, 25), by=manager
        )
    with pytest.raises(PermissionDenied):
        cover_set(csm=other_csm, covered_by=csm, starts_on=TODAY, ends_on=TODAY, by=csm)
    with pytest.raises(ValidationError, match="ends on or after"):
        cover_set(csm=other_csm, covered_by=csm, starts_on=TODAY, ends_on=date(2026, 2, 1), by=manager)
    cover = cover_set(
        csm=other_csm, covered_by=csm, starts_on=date(2026, 2, 1), ends_on=date(2026, 2, 28), by=manager
    )
    assert cover_end(cover=cover, by=other_csm, day=TODAY).ends_on == date(2026, 2, 11)
    assert Cover.objects.count() == 2


def test_managers_assign_and_deal_the_pool_round_robin(
    csm, other_csm, manager, stuck_rule, time_machine_today
):
    for name in ("P1", "P2", "P3"):
        customer(None, name=name)
    customer(csm, name="Mine")
    day("2026-02-10")
    time_machine_today(TODAY)
    assert CTA.objects.filter(owner__isnull=True).count() == 3
    with pytest.raises(PermissionDenied):
        lifecycle.ctas_round_robin(user=csm)
    given = lifecycle.ctas_round_robin(user=manager)
    assert given == {"bob": 2, "alice": 1}  # Bob had no CTA: he is dealt first
    assert not CTA.objects.filter(owner__isnull=True).exists()
    mine = CTA.objects.get(company__name="Mine")
    lifecycle.cta_assign(user=manager, cta_id=mine.pk, owner=other_csm)
    assert history(mine)[-1] == ("carol", "owner", "alice", "bob")
    with pytest.raises(ValidationError, match="not an active CSM"):
        lifecycle.cta_assign(user=manager, cta_id=mine.pk, owner=manager)
    # Alice's company, Bob's CTA: Alice still acts on her company's CTAs.
    lifecycle.cta_start(user=csm, cta_id=mine.pk)


def test_bulk_close_is_all_or_none(csm, other_csm, stuck_rule, time_machine_today):
    customer(csm, name="A")
    customer(csm, name="B")
    theirs = customer(other_csm, name="Theirs")
    day("2026-02-10")
    time_machine_today(TODAY)
    mine = list(CTA.objects.filter(owner=csm).values_list("pk", flat=True))
    with pytest.raises(Http404):
        lifecycle.ctas_bulk_close(
            user=csm, cta_ids=[*mine, CTA.objects.get(company=theirs).pk], outcome="done"
        )
    assert CTA.objects.filter(status="closed").count() == 0
    assert lifecycle.ctas_bulk_close(user=csm, cta_ids=mine, outcome="not_needed", note="Duplicates") == 2
    assert (
        lifecycle.ctas_bulk_snooze(
            user=other_csm,
            cta_ids=[CTA.objects.get(company=theirs).pk],
            until=date(2026, 3, 1),
            reason="Holidays",
        )
        == 1
    )


def test_a_cta_by_hand_is_the_csms_with_its_tasks_and_one_per_type(
    csm, other_csm, ebr, two_milestones, time_machine_today
):
    time_machine_today(TODAY)
    company = customer(csm, name="Acme")
    day("2026-02-11")
    cta = lifecycle.cta_create(
        user=csm,
        company=company,
        cta_type=ebr,
        due_on=date(2026, 2, 20),
        reason="Asked for a review",
        tasks=["Book the room", "", "Send the agenda"],
        owner=other_csm,
    )
    assert (cta.owner, cta.rule, cta.milestone.key, cta.created_on) == (csm, None, "second", TODAY)
    assert list(cta.tasks.values_list("order", "title")) == [(1, "Book the room"), (2, "Send the agenda")]
    assert cta.priority_score > 0
    with pytest.raises(ValidationError, match="already has a CTA of type EBR that is not closed"):
        lifecycle.cta_create(user=csm, company=company, cta_type=ebr, due_on=date(2026, 2, 20))
    with pytest.raises(ValidationError, match="cannot be due in the past"):
        lifecycle.cta_create(user=csm, company=company, cta_type=ebr, due_on=date(2026, 2, 1))
    with pytest.raises(Http404):
        lifecycle.cta_create(user=other_csm, company=company, cta_type=ebr, due_on=date(2026, 2, 20))


def test_an_inactive_user_is_not_a_csm_to_assign(manager, cta):
    gone = UserFactory(username="gone", is_active=False)
    with pytest.raises(ValidationError):
        lifecycle.cta_assign(user=manager, cta_id=cta.pk, owner=gone)


def test_admin_refuses_an_overlapping_cover(client, admin_user, csm, other_csm):
    from django.urls import reverse

    Cover.objects.create(csm=csm, covered_by=other_csm, starts_on=TODAY, ends_on=date(2026, 2, 20))
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:accounts_cover_add"),
        {"csm": csm.pk, "covered_by": other_csm.pk, "starts_on": "2026-02-18", "ends_on": "2026-02-25"},
    )
    assert (
        response.status_code == 200 and "already covered on some of these days" in response.content.decode()
    )
    assert Cover.objects.count() == 1
