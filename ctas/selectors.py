"""Reads of CTAs, always through the user's scope (DESIGN §8): managers and admins see and act on every
CTA; a CSM sees the CTAs they own and those of the companies they see (their own, and those of a colleague
they cover for), and acts on the ones they own or that belong to their own companies. Others' CTAs are
read-only for them; CTAs they cannot see do not exist (404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import User
from accounts.roles import GROUP_NAMES, Role
from companies.models import Company
from core.forms import row_id
from ctas import rules
from ctas.models import CTA, CTAChange, CTATask
from milestones.models import CompanyProgress


def _manages(user: User) -> bool:
    return user.sees_everyone


def ctas_visible(*, user: User) -> QuerySet[CTA]:
    if _manages(user):
        return CTA.objects.all()
    if user.role != Role.CSM:
        return CTA.objects.none()
    return CTA.objects.filter(Q(owner=user) | Q(company__in=Company.objects.visible_to(user)))


def ctas_actionable(*, user: User) -> QuerySet[CTA]:
    if _manages(user):
        return CTA.objects.all()
    if user.role != Role.CSM:
        return CTA.objects.none()
    return CTA.objects.filter(Q(owner=user) | Q(company__csm=user))


def cta_can_act(*, user: User, cta: CTA) -> bool:
    """The same rule as ctas_actionable, for a CTA already loaded (with its company)."""
    return _manages(user) or (
        user.role == Role.CSM and (cta.owner_id == user.pk or cta.company.csm_id == user.pk)
    )


def _with_details(ctas: QuerySet[CTA]) -> QuerySet[CTA]:
    return ctas.select_related(
        "company", "company__progress", "cta_type", "milestone", "owner", "rule"
    ).prefetch_related(
        Prefetch("tasks", queryset=CTATask.objects.select_related("done_by").order_by("order", "id"))
    )


@dataclass(frozen=True)
class QueueFilters:
    owner: str = "mine"  # "mine", "pool" (unassigned), "all", or a CSM's id (managers)
    cta_type: str = ""  # slug
    milestone: str = ""  # key
    segment: str = ""
    overdue: bool = False
    search: str = ""
    status: str = "open"  # "open" (open and in progress), "snoozed", "closed"


def queue_ctas(*, user: User, filters: QueueFilters, today: date) -> QuerySet[CTA]:
    """A queue: the CTAs of one owner (or the pool, or everyone's for managers) that the user can see,
    filtered, highest priority first (then the earliest due date)."""
    # A CSM's queue is the CTAs they own (all visible to them); a manager sees every CTA.
    ctas = CTA.objects.all() if _manages(user) or user.role == Role.CSM else CTA.objects.none()
    if filters.owner == "mine" or not _manages(user):
        ctas = ctas.filter(owner=user)
    elif filters.owner == "pool":
        ctas = ctas.filter(owner__isnull=True)
    elif filters.owner != "all":
        owner_id = row_id(filters.owner)
        ctas = ctas.filter(owner_id=owner_id) if owner_id else ctas.none()
    if filters.status == "snoozed":
        ctas = ctas.filter(status=CTA.Status.SNOOZED)
    elif filters.status == "closed":
        ctas = ctas.filter(status=CTA.Status.CLOSED)
    else:
        ctas = ctas.filter(status__in=[CTA.Status.OPEN, CTA.Status.IN_PROGRESS])
    if filters.cta_type:
        ctas = ctas.filter(cta_type__slug=filters.cta_type)
    if filters.milestone:
        ctas = ctas.filter(milestone__key=filters.milestone)
    if filters.segment:
        ctas = ctas.filter(company__segment=filters.segment)
    if filters.overdue:
        ctas = ctas.filter(due_on__lt=today)
    if filters.search:
        ctas = ctas.filter(
            Q(company__name__icontains=filters.search) | Q(company__external_id__icontains=filters.search)
        )
    order = ["-closed_on", "-id"] if filters.status == "closed" else ["-priority_score", "due_on", "id"]
    return _with_details(ctas).order_by(*order)


def queue_counts(*, user: User, owner: User | None, today: date) -> dict[str, int]:
    """Open, overdue and snoozed CTAs of an owner (None: the pool), in one query."""
    # A CSM's own CTAs are all visible to them, and managers see every CTA: no visibility filter to add.
    if owner is not None and (owner.pk == user.pk or _manages(user)):
        ctas = CTA.objects.filter(owner=owner)
    else:
        ctas = ctas_visible(user=user).filter(owner=owner)
    working = Q(status__in=[CTA.Status.OPEN, CTA.Status.IN_PROGRESS])
    return ctas.aggregate(
        open=Count("id", filter=working),
        overdue=Count("id", filter=working & Q(due_on__lt=today)),
        snoozed=Count("id", filter=Q(status=CTA.Status.SNOOZED)),
    )


def pool_count(*, user: User) -> int:
    if not _manages(user):
        return 0
    return CTA.objects.filter(owner__isnull=True).exclude(status=CTA.Status.CLOSED).count()


def cta_get(*, user: User, cta_id: int) -> CTA:
    """A CTA the user can see, with its tasks; CTA.DoesNotExist otherwise."""
    return _with_details(ctas_visible(user=user)).get(pk=cta_id)


def cta_history(*, cta: CTA) -> QuerySet[CTAChange]:
    return cta.changes.select_related("by").order_by("at", "id")


def company_ctas(*, user: User, company: Company, closed: int = 5) -> list[CTA]:
    """The company's CTAs for its page: every one that is not closed, then the latest `closed` closed ones."""
    ctas = _with_details(ctas_visible(user=user).filter(company=company))
    working = list(ctas.exclude(status=CTA.Status.CLOSED).order_by("-priority_score", "due_on", "id"))
    done = list(ctas.filter(status=CTA.Status.CLOSED).order_by("-closed_on", "-id")[:closed])
    return working + done


def company_open_ctas(*, company: Company) -> QuerySet[CTA]:
    """The company's CTAs that are not closed, highest priority first (whoever sees the company sees them)."""
    return _with_details(CTA.objects.filter(company=company).exclude(status=CTA.Status.CLOSED)).order_by(
        "-priority_score", "due_on", "id"
    )


def csms(*, active_only: bool = True) -> QuerySet[User]:
    """The CSMs (for a manager's owner selector and round-robin)."""
    users = User.objects.filter(groups__name=GROUP_NAMES[Role.CSM])
    if active_only:
        users = users.filter(is_active=True)
    return users.order_by("first_name", "last_name", "username")


def priority_lines(cta: CTA) -> list[str]:
    parts = rules.Priority(cta.score_days, cta.score_mrr, cta.score_health, cta.score_due)
    return rules.priority_explained(
        parts=parts, days_at_position=cta.days_at_position, mrr_rank=cta.mrr_rank, health=cta.health
    )


def cta_actionable_or_404(*, user: User, cta_id: int) -> None:
    """Http404 unless the user may act on this CTA (what a forged request meets)."""
    if not ctas_actionable(user=user).filter(pk=cta_id).exists():
        raise Http404("No such CTA.")


def stuck_without_cta(*, user: User, owner: User | None, limit: int = 10) -> tuple[int, list]:
    """Stuck customers of `owner` (or of every CSM for owner None; managers) with no CTA that is not
    closed, most days at the milestone first: their count and the first `limit`."""
    working = CTA.objects.filter(company_id=OuterRef("company_id")).exclude(status=CTA.Status.CLOSED)
    progress = CompanyProgress.objects.filter(active=True, stuck_since__isnull=False)
    # From the owner's companies (their CSM index), each checked for a CTA (the company index): an anti-join
    # driven by the few hundred companies, not by every stuck customer.
    if owner is not None:
        progress = progress.filter(company__csm=owner)
    else:
        progress = progress.filter(company__in=Company.objects.visible_to(user))
    stuck = (
        progress.filter(~Exists(working))
        .select_related("company", "current_milestone")
        .order_by("-days_at_position", "company__name")
    )
    if owner is None:
        return stuck.count(), list(stuck[:limit])
    found = list(stuck)  # one CSM's: at most their companies, read once for the count and the first ones
    return len(found), found[:limit]
