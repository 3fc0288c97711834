"""Loading a generated demo workspace into the database, fast and all-or-nothing."""

from __future__ import annotations

import time as clock
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from accounts.roles import GROUP_NAMES, Role
from companies.models import Company, Contact, Event, EventType, MetricValue
from core.bulk import bulk_load, indexes_deferred, reset_sequences
from core.days import day_start, today
from demo.generator import WorkspaceGenerator
from demo.names import FIRST_NAMES, LAST_NAMES
from demo.specs import CriterionSpec, MilestoneSpec
from milestones.models import Milestone

DEMO_PASSWORD = "waypoint-demo"  # noqa: S105 - printed by `make demo`; demo workspaces only
CHUNK = 1_000  # companies generated and written per step: bounds memory at ~100k events in flight

# DESIGN §10: every name the generator may emit, plus whatever the installed checklists count.
VOCABULARY = [
    "blog_viewed",
    "report_downloaded",
    "webinar_attended",
    "guide_downloaded",
    "roi_calculator_used",
    "pricing_page_viewed",
    "features_page_viewed",
    "demo_requested",
    "trial_started",
    "case_study_downloaded",
    "comparison_downloaded",
    "proposal_viewed",
    "contract_viewed",
    "sales_meeting_attended",
    "onboarding_doc_viewed",
    "security_info_requested",
    "reference_requested",
    "unsubscribed",
    "competitor_visited",
    "session_started",
    "tracking_code_installed",
    "landing_page_published",
    "lead_created",
    "lead_qualified",
    "email_campaign_sent",
    "blog_post_published",
    "automation_flow_activated",
    "crm_integration_connected",
    "deal_won",
]

COMPANY_FIELDS = [
    "id",
    "external_id",
    "name",
    "domain",
    "csm",
    "segment",
    "plan",
    "mrr",
    "lifecycle",
    "customer_since",
    "churned_on",
    "created_at",
    "updated_at",
]
CONTACT_FIELDS = ["id", "company", "external_id", "email", "name", "title", "created_at"]
EVENT_FIELDS = [
    "company",
    "type",
    "occurred_at",
    "received_at",
    "source",
    "message_id",
    "contact",
    "session_id",
    "properties",
]
METRIC_FIELDS = ["company", "metric", "date", "value"]


class WorkspaceNotEmpty(Exception):
    pass


@dataclass(frozen=True)
class SeedReport:
    csms: int
    companies: int
    contacts: int
    events: int
    metric_values: int
    seconds: float
    recent: list[tuple] = field(default_factory=list, repr=False)  # held back: see demo_seed's live_days


def demo_seed(
    *,
    companies: int,
    days: int,
    seed: int,
    end: date | None = None,
    replace: bool = False,
    live_days: int = 0,
    progress: Callable[[str], None] = lambda message: None,
) -> SeedReport:
    """Generate and load a demo workspace in one transaction: killed halfway, nothing stays.

    `end` is the last day of the history (default: yesterday in the workspace time zone, the last complete
    day, so no event lies in the future); the history covers the `days` before it. The same seed and end
    give the same workspace. The events of the last `live_days` days are not loaded but returned in
    `recent`, to arrive after the history was scored (demo_recent_load)."""
    started = clock.perf_counter()
    end = end or today() - timedelta(days=1)
    with transaction.atomic():
        if Company.objects.exists():
            if not replace:
                raise WorkspaceNotEmpty(
                    f"The workspace already has {Company.objects.count():,} companies; "
                    "pass --replace to delete them (and their events) first."
                )
            _delete_companies()
        csms = _demo_users(companies)
        milestones = _milestone_specs()
        type_ids = _event_types(milestones)
        generator = WorkspaceGenerator(
            seed=seed,
            end=end,
            days=days,
            time_zone=settings.TIME_ZONE,
            csm_count=len(csms),
            milestones=milestones,
            event_type_ids=type_ids,
        )
        first_company_id = (Company.objects.aggregate(top=Max("id"))["top"] or 0) + 1
        next_contact_id = (Contact.objects.aggregate(top=Max("id"))["top"] or 0) + 1
        totals: Counter = Counter()
        hold_from = day_start(end - timedelta(days=live_days - 1)) if live_days else None
        recent: list[tuple] = []
        # The tables are empty here: build their indexes once at the end instead of row by row.
        with indexes_deferred(Event, MetricValue, Contact):
            for chunk_start in range(0, companies, CHUNK):
                indexes = range(chunk_start, min(companies, chunk_start + CHUNK))
                next_contact_id = _load_chunk(
                    generator, indexes, first_company_id, next_contact_id, csms, totals, hold_from, recent
                )
                elapsed = clock.perf_counter() - started
                progress(
                    f"{indexes[-1] + 1:,}/{companies:,} companies, {totals['events']:,} events "
                    f"({totals['events'] / max(elapsed, 1e-9):,.0f} events/s)"
                )
        reset_sequences(Company, Contact)
    if connection.vendor == "postgresql":
        # Fresh statistics, so the daily jobs' first plans see millions of rows, not an empty table.
        with connection.cursor() as cursor:
            for model in (Company, Contact, Event, MetricValue):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return SeedReport(
        csms=len(csms),
        companies=companies,
        contacts=totals["contacts"],
        events=totals["events"],
        metric_values=totals["metric_values"],
        seconds=clock.perf_counter() - started,
        recent=recent,
    )


@transaction.atomic
def demo_recent_load(recent: list[tuple]) -> int:
    """Load the events held back from a seed (they arrive now, after the history was scored)."""
    return bulk_load(Event, EVENT_FIELDS, recent)


def _load_chunk(
    generator: WorkspaceGenerator,
    indexes: range,
    first_company_id: int,
    next_contact_id: int,
    csms: list[int],
    totals: Counter,
    hold_from: datetime | None,
    recent: list[tuple],
) -> int:
    """Generate and write the companies of `indexes` with their contacts, events and metric values.
    Company and contact ids are assigned here (events point at them); returns the next free contact id."""
    now = timezone.now()
    plans = [generator.plan_company(index) for index in indexes]
    bulk_load(
        Company,
        COMPANY_FIELDS,
        [
            (
                first_company_id + plan.index,
                plan.external_id,
                plan.name,
                plan.domain,
                csms[plan.csm_index],
                plan.segment,
                plan.plan,
                Decimal(plan.mrr),
                plan.lifecycle,
                plan.customer_since,
                plan.churned_on,
                now,
                now,
            )
            for plan in plans
        ],
    )
    contacts, events, metrics = [], [], []
    for plan in plans:
        activity = generator.activity(plan, first_company_id + plan.index, next_contact_id)
        next_contact_id += len(activity.contacts)
        contacts.extend(activity.contacts)
        events.extend(activity.events)
        metrics.extend(activity.metrics)
    totals["contacts"] += bulk_load(Contact, CONTACT_FIELDS, contacts)
    if hold_from is not None:
        recent.extend(event for event in events if event[EVENT_FIELDS.index("occurred_at")] >= hold_from)
        events = [event for event in events if event[EVENT_FIELDS.index("occurred_at")] < hold_from]
    totals["events"] += bulk_load(Event, EVENT_FIELDS, events)
    totals["metric_values"] += bulk_load(MetricValue, METRIC_FIELDS, metrics)
    return next_contact_id


def _delete_companies() -> None:
    if connection.vendor == "postgresql":
        # TRUNCATE … CASCADE empties every table that points at companies (events, achievements…) at once,
        # where DELETE would take minutes on millions of events.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending foreign-key checks
            cursor.execute(f"TRUNCATE {Company._meta.db_table} RESTART IDENTITY CASCADE")
        return
    Event.objects.all().delete()
    MetricValue.objects.all().delete()
    Contact.objects.all().delete()
    Company.objects.all().delete()


def demo_user_count(companies: int) -> int:
    """One CSM per ~120 accounts, at least three."""
    return max(3, companies // 120 + 1)


def _demo_users(companies: int) -> list[int]:
    """admin, manager and csm1…csmN, all with the demo password; returns the CSMs' ids in order."""
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing per user would take minutes at scale
    groups = {role: Group.objects.get(name=name) for role, name in GROUP_NAMES.items()}
    wanted = [("admin", Role.ADMIN, "Alex", "Admin"), ("manager", Role.MANAGER, "Morgan", "Manager")]
    for n in range(1, demo_user_count(companies) + 1):
        first = FIRST_NAMES[(n * 7) % len(FIRST_NAMES)]
        last = LAST_NAMES[(n * 11) % len(LAST_NAMES)]
        wanted.append((f"csm{n}", Role.CSM, first, last))
    existing = set(
        User.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", flat=True)
    )
    new_users = [
        User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@waypoint.example",
            password=password,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
            date_joined=timezone.now(),
        )
        for username, role, first, last in wanted
        if username not in existing
    ]
    User.objects.bulk_create(new_users, batch_size=1000)
    ids = dict(User.objects.filter(username__in=[w[0] for w in wanted]).values_list("username", "id"))
    memberships = [
        User.groups.through(user_id=ids[username], group_id=groups[role].pk)
        for username, role, _, _ in wanted
        if username not in existing
    ]
    User.groups.through.objects.bulk_create(memberships, batch_size=1000)
    return [ids[username] for username, role, _, _ in wanted if role == Role.CSM]


def _milestone_specs() -> list[MilestoneSpec]:
    specs = []
    for milestone in Milestone.objects.in_sequence().prefetch_related("criteria"):
        criteria = tuple(
            CriterionSpec(
                kind=c.kind,
                event_name=c.event_name,
                denominator_event_name=c.denominator_event_name,
                min_denominator=c.min_denominator,
                metric=c.metric,
                comparator=c.comparator,
                threshold=c.threshold,
                window_days=c.window_days,
                property_key=c.property_key,
                property_operator=c.property_operator,
                property_value=c.property_value,
            )
            for c in sorted(milestone.criteria.all(), key=lambda c: (c.order, c.pk))
        )
        specs.append(
            MilestoneSpec(key=milestone.key, target_days=milestone.target_days or 30, criteria=criteria)
        )
    return specs


def _event_types(milestones: list[MilestoneSpec]) -> dict[str, int]:
    names = list(VOCABULARY)
    for milestone in milestones:
        for criterion in milestone.criteria:
            names.extend(n for n in (criterion.event_name, criterion.denominator_event_name) if n)
    EventType.objects.bulk_create(
        [EventType(name=name) for name in dict.fromkeys(names)], ignore_conflicts=True
    )
    return dict(EventType.objects.filter(name__in=names).values_list("name", "id"))
