"""Reads for the company pages. Every lookup goes through the user's scope (CSMs: their own companies)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.roles import Role
from core.charts import StepChart, step_chart
from core.days import day_start
from journey.models import Company, Contact, Event, MetricValue
from journey.scoring.engine import LOOKBACK, Change, Step
from journey.scoring.engine import replay as engine_replay
from journey.scoring.loading import journey_replay
from journey.scoring.suggest import Suggestion, next_moves


def company_list(*, user) -> QuerySet[Company]:
    return Company.objects.visible_to(user).select_related(
        "csm", "progress", "progress__current_milestone", "journey", "journey__stage"
    )


def company_get(*, user, external_id: str) -> Company:
    """The company if the user may see it; 404 otherwise, so other CSMs' companies do not even exist."""
    return get_object_or_404(company_list(user=user), external_id=external_id)


def company_ids(*, user, external_ids: Iterable[str]) -> dict[str, int]:
    """External id → id of the companies among `external_ids` that the user may see (one query)."""
    return dict(
        Company.objects.visible_to(user)
        .filter(external_id__in=set(external_ids))
        .values_list("external_id", "id")
    )


def contact_list(*, user) -> QuerySet[Contact]:
    """Contacts of the companies the user may see; managers and admins also see contacts without one."""
    contacts = Contact.objects.select_related("company")
    if user.role in (Role.MANAGER, Role.ADMIN):
        return contacts
    return contacts.filter(company__in=Company.objects.visible_to(user))


def event_list(*, user) -> QuerySet[Event]:
    """Events of the companies the user may see, newest first. Managers and admins get no company filter:
    the API narrows to one company, and `IN (all companies)` would cost a scan."""
    events = Event.objects.select_related("company", "type", "contact").order_by("-occurred_at", "-id")
    if user.role in (Role.MANAGER, Role.ADMIN):
        return events
    return events.filter(company__in=Company.objects.visible_to(user))


def metric_value_list(*, user) -> QuerySet[MetricValue]:
    values = MetricValue.objects.select_related("company").order_by("metric", "-date")
    if user.role in (Role.MANAGER, Role.ADMIN):
        return values
    return values.filter(company__in=Company.objects.visible_to(user))


def company_events(*, company: Company) -> QuerySet[Event]:
    # Served by event_company_time, newest first.
    return (
        Event.objects.filter(company=company)
        .select_related("type", "contact")
        .order_by("-occurred_at", "-id")
    )


@dataclass(frozen=True)
class MetricReading:
    metric: str
    value: float
    date: date


def company_latest_metrics(*, company: Company) -> list[MetricReading]:
    """The latest value of each metric (a company reports a handful of metrics, tens of values each)."""
    latest: dict[str, MetricReading] = {}
    for metric, value, day in (
        MetricValue.objects.filter(company=company)
        .order_by("metric", "-date")
        .values_list("metric", "value", "date")
    ):
        latest.setdefault(metric, MetricReading(metric, value, day))
    return list(latest.values())


@dataclass(frozen=True)
class LifecycleSummary:
    customers: int
    prospects: int
    churned: int
    mrr: float


def lifecycle_summary(companies: QuerySet[Company]) -> LifecycleSummary:
    counts = dict(
        companies.order_by().values("lifecycle").annotate(n=Count("id")).values_list("lifecycle", "n")
    )
    mrr = companies.filter(lifecycle=Company.Lifecycle.CUSTOMER).aggregate(total=Sum("mrr"))["total"] or 0
    return LifecycleSummary(
        customers=counts.get(Company.Lifecycle.CUSTOMER, 0),
        prospects=counts.get(Company.Lifecycle.PROSPECT, 0),
        churned=counts.get(Company.Lifecycle.CHURNED, 0),
        mrr=float(mrr),
    )


def event_watermark() -> int:
    """The highest event id that no later commit can go under: ids are taken when a row is inserted, not
    when it commits, so the events received in the last WAYPOINT_EVENT_SETTLE_SECONDS (longer than any
    ingestion transaction) are left for the next run. Walks the primary key from the top: fast however
    large the table."""
    cutoff = timezone.now() - timedelta(seconds=settings.WAYPOINT_EVENT_SETTLE_SECONDS)
    newest = (
        Event.objects.filter(received_at__lte=cutoff).order_by("-id").values_list("id", flat=True).first()
    )
    return newest or 0


# --- The buyer journey of one company (DESIGN §3.7) -----------------------------------------------------------


@dataclass(frozen=True)
class JourneyExplanation:
    at: datetime
    score: int
    stage: str
    stage_name: str
    stages: list[tuple[int, str, str]]  # (lower bound, key, name)
    stage_names: dict[str, str]
    decay_days: int
    last_engagement_at: datetime | None
    next_decay_at: datetime | None
    next_decay_score: int | None  # the score after that step, without engagement before it
    steps: list[Step]  # most recent first
    changes: list[Change]  # stage changes, most recent first
    suggestions: list[Suggestion]
    chart: StepChart

    @property
    def track(self) -> list[tuple[str, str, float, bool]]:
        """(key, name, width %, reached) of each stage, for the stage track."""
        bounds = [lower for lower, _, _ in self.stages] + [1000]
        return [
            (key, name, (bounds[index + 1] - lower) / 10, lower <= self.score)
            for index, (lower, key, name) in enumerate(self.stages)
        ]


def journey_explanation(
    *, company: Company, at: datetime | None = None, chart_days: int = 90
) -> JourneyExplanation:
    """Why the company's score is what it is at `at` (default now): its events replayed with every step, what
    would move it next, and its score over the last `chart_days`."""
    at = at or timezone.now()
    replayed = journey_replay(company=company, until=at)
    config, state = replayed.scoring.config, replayed.result.state
    steps = replayed.result.steps
    next_score = None
    if state.next_decay_at is not None:
        after = engine_replay(
            [], config, state.next_decay_at, state=replace(state, boosts=list(state.boosts))
        )
        next_score = after.state.score
    recent = [event for event in replayed.events if event.at >= state.through - LOOKBACK]
    start = at - timedelta(days=chart_days)
    before = [step for step in steps if step.at < start]
    ticks, month = [], date(start.year, start.month, 1)
    while True:
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        moment = day_start(month)
        if moment > at:
            break
        ticks.append((moment, month.strftime("%b")))
    chart = step_chart(
        [(step.at, step.score) for step in steps if step.at >= start],
        start=start,
        end=at,
        initial=before[-1].score if before else 0,
        top=1000,
        gridlines=[(lower, name) for lower, _, name in config.stages if lower > 0],
        ticks=ticks,
    )
    return JourneyExplanation(
        at=at,
        score=state.score,
        stage=config.stage_of(state.score),
        stage_name=config.stage_name(config.stage_of(state.score)),
        stages=list(config.stages),
        stage_names={key: name for _, key, name in config.stages},
        decay_days=config.decay_every.days,
        last_engagement_at=state.last_engagement_at,
        next_decay_at=state.next_decay_at,
        next_decay_score=next_score,
        steps=steps[::-1],
        changes=replayed.result.changes[::-1],
        suggestions=next_moves(config, state, recent, state.through),
        chart=chart,
    )


# --- Ingestion -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attribution:
    company_ids: dict[str, int]  # company external_id → id
    contacts: dict[str, tuple[int, int | None]]  # contact external_id → (id, company id)

    def resolve(self, company_key: str, user_id: str) -> tuple[int | None, int | None]:
        """(company id, contact id) of an event: the company it names if it names one (None while that
        company is unknown), else its user's contact's company."""
        contact_id, contact_company = self.contacts.get(user_id, (None, None))
        return (self.company_ids.get(company_key) if company_key else contact_company), contact_id


def attribution_lookup(*, company_keys: set[str], user_ids: set[str]) -> Attribution:
    """The companies and contacts a batch of events names. On PostgreSQL one round trip with two array
    parameters: this runs for every ingestion request, where a query per lookup (each with an IN list of up
    to 100 parameters to bind) costs as much as storing the events."""
    company_keys, user_ids = company_keys - {""}, user_ids - {""}
    if connection.vendor != "postgresql":
        return Attribution(
            dict(Company.objects.filter(external_id__in=company_keys).values_list("external_id", "id")),
            {
                external_id: (contact_id, company_id)
                for external_id, contact_id, company_id in Contact.objects.filter(
                    external_id__in=user_ids
                ).values_list("external_id", "id", "company_id")
            },
        )
    company_ids, contacts = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT true, external_id, id, NULL FROM journey_company WHERE external_id = ANY(%s) "
            "UNION ALL SELECT false, external_id, id, company_id FROM journey_contact "
            "WHERE external_id = ANY(%s) AND external_id <> ''",
            [list(company_keys), list(user_ids)],
        )
        for is_company, external_id, row_id, company_id in cursor.fetchall():
            if is_company:
                company_ids[external_id] = row_id
            else:
                contacts[external_id] = (row_id, company_id)
    return Attribution(company_ids, contacts)
