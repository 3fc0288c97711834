"""What people do to CTAs (DESIGN §4.4): start, snooze until a day with a reason, wake, close with an
outcome, check off tasks, assign (managers), the same in bulk, round-robin the pool, and open one by hand.

Every function takes the acting user, finds the CTA within what that user may act on (ctas/selectors.py)
and locks it, so a CTA the user may not act on is a 404 (Http404) whatever the request says, and two
changes at once apply one after the other. Every change is recorded in CTAChange. A change that makes no
sense for the CTA's state (snoozing a closed CTA) is a ValidationError with a message for people."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from companies.models import Company
from core.days import today
from core.forms import row_id
from ctas.models import CTA, CTAChange, CTATask
from ctas.selectors import csms, ctas_actionable
from ctas.services.priority import priorities_refresh
from milestones.models import CompanyProgress, CTAType

# The outcomes people choose; "churned" is the daily run's.
PEOPLE_OUTCOMES = (CTA.Outcome.DONE, CTA.Outcome.NOT_NEEDED, CTA.Outcome.MILESTONE_ACHIEVED)
REASON_MAX: int = CTA._meta.get_field("reason").max_length or 300


def _locked(user: User, cta_ids: Iterable[int]) -> list[CTA]:
    """The CTAs with these ids that the user may act on, locked; Http404 if any is not one of them."""
    ids = sorted({int(cta_id) for cta_id in cta_ids})
    if any(row_id(str(cta_id)) is None for cta_id in ids):
        raise Http404("No such CTA.")  # no row has such an id
    ctas = list(ctas_actionable(user=user).filter(pk__in=ids).select_for_update(of=("self",)).order_by("pk"))
    if len(ctas) != len(ids) or not ids:
        raise Http404("No such CTA.")
    return ctas


def _record(cta: CTA, by: User | None, changes: list[tuple[str, object, object]]) -> None:
    CTAChange.objects.bulk_create(
        CTAChange(cta=cta, by=by, field=name, from_value=_text(old), to_value=_text(new))
        for name, old, new in changes
        if old != new
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, User):
        return value.username
    return str(value)[:300]


def _not_closed(cta: CTA) -> None:
    if cta.status == CTA.Status.CLOSED:
        raise ValidationError({"status": f"This CTA was closed on {cta.closed_on:%b %-d, %Y}."})


@transaction.atomic
def cta_start(*, user: User, cta_id: int) -> CTA:
    (cta,) = _locked(user, [cta_id])
    _not_closed(cta)
    if cta.status != CTA.Status.IN_PROGRESS:
        _record(
            cta,
            user,
            [("status", cta.status, CTA.Status.IN_PROGRESS), ("snoozed_until", cta.snoozed_until, None)],
        )
        cta.status, cta.snoozed_until = CTA.Status.IN_PROGRESS, None
        cta.save(update_fields=["status", "snoozed_until"])
    return cta


def _snooze(cta: CTA, user: User, until: date, reason: str) -> None:
    _not_closed(cta)
    _record(
        cta,
        user,
        [
            ("status", cta.status, CTA.Status.SNOOZED),
            ("snoozed_until", cta.snoozed_until, until),
            ("reason", cta.reason, reason),
        ],
    )
    cta.status, cta.snoozed_until, cta.reason = CTA.Status.SNOOZED, until, reason
    cta.save(update_fields=["status", "snoozed_until", "reason"])


def _snooze_checked(until: date | None, reason: str) -> tuple[date, str]:
    errors = {}
    reason = (reason or "").strip()
    if until is None:
        errors["snoozed_until"] = "Say until when."
    elif until <= today():
        errors["snoozed_until"] = "Snooze until a day after today."
    if not reason:
        errors["reason"] = "Say why: it is kept with the CTA."
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"At most {REASON_MAX} characters."
    if errors:
        raise ValidationError(errors)
    assert until is not None
    return until, reason


@transaction.atomic
def cta_snooze(*, user: User, cta_id: int, until: date | None, reason: str) -> CTA:
    """Snooze until a day after today, with a reason; the daily run wakes it on that day and its rule does
    not open another one meanwhile."""
    until, reason = _snooze_checked(until, reason)
    (cta,) = _locked(user, [cta_id])
    _snooze(cta, user, until, reason)
    return cta


@transaction.atomic
def cta_wake(*, user: User, cta_id: int) -> CTA:
    (cta,) = _locked(user, [cta_id])
    if cta.status == CTA.Status.SNOOZED:
        _record(
            cta, user, [("status", cta.status, CTA.Status.OPEN), ("snoozed_until", cta.snoozed_until, None)]
        )
        cta.status, cta.snoozed_until = CTA.Status.OPEN, None
        cta.save(update_fields=["status", "snoozed_until"])
    return cta


def _close(cta: CTA, user: User, outcome: str, note: str) -> None:
    _not_closed(cta)
    day = today()
    _record(
        cta,
        user,
        [("status", cta.status, CTA.Status.CLOSED), ("outcome", "", outcome), ("note", cta.note, note)],
    )
    cta.status, cta.outcome, cta.note, cta.closed_on, cta.snoozed_until = (
        CTA.Status.CLOSED,
        outcome,
        note,
        day,
        None,
    )
    cta.save(update_fields=["status", "outcome", "note", "closed_on", "snoozed_until"])


def _outcome_checked(outcome: str, note: str) -> tuple[str, str]:
    if outcome not in PEOPLE_OUTCOMES:
        choices = ", ".join(str(choice.label).lower() for choice in PEOPLE_OUTCOMES)
        raise ValidationError({"outcome": f"Choose an outcome: {choices}."})
    return outcome, (note or "").strip()


@transaction.atomic
def cta_close(*, user: User, cta_id: int, outcome: str, note: str = "") -> CTA:
    outcome, note = _outcome_checked(outcome, note)
    (cta,) = _locked(user, [cta_id])
    _close(cta, user, outcome, note)
    return cta


@transaction.atomic
def cta_task_set(*, user: User, cta_id: int, task_id: int, done: bool) -> CTATask:
    """Check a task off (recording who and when) or uncheck it."""
    (cta,) = _locked(user, [cta_id])
    _not_closed(cta)
    task = CTATask.objects.select_for_update().filter(cta=cta, pk=task_id).first()
    if task is None:
        raise Http404("No such task.")
    if task.done == done:
        return task
    _record(
        cta, user, [(f"task {task.order}", "done" if task.done else "to do", "done" if done else "to do")]
    )
    task.done_by, task.done_at = (user, timezone.now()) if done else (None, None)
    task.save(update_fields=["done_by", "done_at"])
    return task


def _owner_checked(owner: User | None) -> None:
    if owner is not None and (owner.role != Role.CSM or not owner.is_active):
        raise ValidationError({"owner": f"{owner.username} is not an active CSM."})


@transaction.atomic
def cta_assign(*, user: User, cta_id: int, owner: User | None) -> CTA:
    """Give the CTA to a CSM, or back to the pool (None). Managers and admins only."""
    ctas_bulk_assign(user=user, cta_ids=[cta_id], owner=owner)
    return CTA.objects.get(pk=cta_id)


@transaction.atomic
def ctas_bulk_assign(*, user: User, cta_ids: Iterable[int], owner: User | None) -> int:
    """Give several CTAs to a CSM (or back to the pool) at once: all or none. Managers and admins only."""
    if not user.sees_everyone:
        raise PermissionDenied("Only managers assign CTAs.")
    _owner_checked(owner)
    ctas = _locked(user, cta_ids)
    for cta in ctas:
        _not_closed(cta)
        if cta.owner_id != (owner.pk if owner else None):
            _record(cta, user, [("owner", cta.owner, owner or "")])
            cta.owner = owner
            cta.save(update_fields=["owner"])
    return len(ctas)


@transaction.atomic
def ctas_bulk_snooze(*, user: User, cta_ids: Iterable[int], until: date | None, reason: str) -> int:
    """Snooze several CTAs at once (all or none: a closed one among them is a ValidationError)."""
    until, reason = _snooze_checked(until, reason)
    ctas = _locked(user, cta_ids)
    for cta in ctas:
        _snooze(cta, user, until, reason)
    return len(ctas)


@transaction.atomic
def ctas_bulk_close(*, user: User, cta_ids: Iterable[int], outcome: str, note: str = "") -> int:
    outcome, note = _outcome_checked(outcome, note)
    ctas = _locked(user, cta_ids)
    for cta in ctas:
        _close(cta, user, outcome, note)
    return len(ctas)


@transaction.atomic
def ctas_round_robin(*, user: User, to: Iterable[User] | None = None) -> dict[str, int]:
    """Deal the pool (unassigned CTAs that are not closed), highest priority first, to CSMs in turn, those
    with the fewest open CTAs first. Returns username → CTAs given."""
    if not user.sees_everyone:
        raise PermissionDenied("Only managers assign CTAs.")
    people = list(to) if to is not None else list(csms())
    for person in people:
        _owner_checked(person)
    if not people:
        raise ValidationError({"owner": "There is no active CSM to assign to."})
    working = ~Q(ctas__status=CTA.Status.CLOSED)
    load = dict(
        User.objects.filter(pk__in=[p.pk for p in people])
        .annotate(open=Count("ctas", filter=working))
        .values_list("pk", "open")
    )
    people.sort(key=lambda person: (load.get(person.pk, 0), person.username))
    pool = list(
        CTA.objects.filter(owner__isnull=True)
        .exclude(status=CTA.Status.CLOSED)
        .select_for_update(skip_locked=True)
        .order_by("-priority_score", "due_on", "id")
        .values_list("pk", flat=True)
    )
    given: dict[str, int] = {}
    for index, person in enumerate(people):
        ids = pool[index :: len(people)]
        if not ids:
            continue
        CTA.objects.filter(pk__in=ids, owner__isnull=True).update(owner=person)
        CTAChange.objects.bulk_create(
            CTAChange(cta_id=cta_id, by=user, field="owner", from_value="", to_value=person.username)
            for cta_id in ids
        )
        given[person.username] = len(ids)
    return given


@transaction.atomic
def cta_create(
    *,
    user: User,
    company: Company,
    cta_type: CTAType,
    due_on: date | None,
    reason: str = "",
    tasks: Iterable[str] = (),
    owner: User | None = None,
) -> CTA:
    """Open a CTA by hand for a company the user may act for (CSMs: their own or those they cover; it is
    theirs). Managers may name the owner (default: the company's CSM). One not-closed CTA per company and
    type: another one is a ValidationError naming it."""
    manages = user.sees_everyone
    if not Company.objects.visible_to(user).filter(pk=company.pk).exists():
        raise Http404("No such company.")
    if not manages:
        owner = user
    elif owner is None:
        owner = company.csm if company.csm and company.csm.is_active else None
    _owner_checked(owner)
    reason = (reason or "").strip()
    titles = [title.strip()[:200] for title in tasks if title and title.strip()]
    errors = {}
    if due_on is None:
        errors["due_on"] = "Say when it is due."
    elif due_on < today():
        errors["due_on"] = "A new CTA cannot be due in the past."
    if len(reason) > REASON_MAX:
        errors["reason"] = f"At most {REASON_MAX} characters."
    if len(titles) > 20:
        errors["tasks"] = "At most 20 tasks."
    if errors:
        raise ValidationError(errors)
    assert due_on is not None
    progress = CompanyProgress.objects.filter(company=company).first()
    try:
        with transaction.atomic():
            cta = CTA.objects.create(
                company=company,
                cta_type=cta_type,
                milestone_id=progress.current_milestone_id if progress and progress.active else None,
                owner=owner,
                due_on=due_on,
                reason=reason or f"Opened by {user.display_name}",
                created_on=today(),
            )
    except IntegrityError:
        raise ValidationError(
            {
                "cta_type": f"{company.name} already has a CTA of type {cta_type.name} that is not closed; work that one."
            }
        ) from None
    CTATask.objects.bulk_create(
        CTATask(cta=cta, order=order, title=title, due_on=due_on)
        for order, title in enumerate(titles, start=1)
    )
    _record(cta, user, [("status", "", CTA.Status.OPEN)])
    priorities_refresh(day=today(), cta_ids=[cta.pk])
    cta.refresh_from_db()
    return cta


@transaction.atomic
def cta_update(
    *,
    user: User,
    cta_id: int,
    status: str | None = None,
    snoozed_until: date | None = None,
    reason: str = "",
    outcome: str = "",
    note: str = "",
    owner: User | object | None = ...,
    tasks: Iterable[tuple[int, bool]] = (),
) -> CTA:
    """Several changes to one CTA at once (the API's PATCH), all or none: the owner (managers; None: the
    pool), task completion (task id, done), then the status: in_progress (start), snoozed (with
    `snoozed_until` and `reason`), closed (with `outcome`, and a note), open (wake a snoozed CTA)."""
    _locked(user, [cta_id])  # 404 before anything else for a CTA the user may not act on
    if owner is not ...:
        cta_assign(user=user, cta_id=cta_id, owner=owner if isinstance(owner, User) else None)
    for task_id, done in tasks:
        cta_task_set(user=user, cta_id=cta_id, task_id=task_id, done=done)
    if status == CTA.Status.IN_PROGRESS:
        cta_start(user=user, cta_id=cta_id)
    elif status == CTA.Status.SNOOZED:
        cta_snooze(user=user, cta_id=cta_id, until=snoozed_until, reason=reason)
    elif status == CTA.Status.CLOSED:
        cta_close(user=user, cta_id=cta_id, outcome=outcome, note=note)
    elif status == CTA.Status.OPEN:
        cta = CTA.objects.get(pk=cta_id)
        if cta.status not in (CTA.Status.OPEN, CTA.Status.SNOOZED):
            raise ValidationError({"status": "Only a snoozed CTA goes back to open (it wakes up)."})
        cta_wake(user=user, cta_id=cta_id)
    elif status is not None:
        raise ValidationError({"status": "One of in_progress, snoozed, closed, open."})
    return CTA.objects.get(pk=cta_id)
