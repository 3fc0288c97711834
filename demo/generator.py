"""A realistic demo workspace, generated as plain rows: a pure function of (seed, company index, settings).

Each company gets its own random stream (`Random(f"{seed}:{index}")`), so the data does not depend on the
order or the batch in which companies are generated, and the same seed always gives the same workspace.

What it simulates:
- prospects wander through the buyer journey (content, sessions, demos, proposals; some go quiet, some
  unsubscribe or visit competitors);
- customers bought after a buyer journey, then work through the methodology's milestones at their own
  speed. For each milestone the generator reads the checklist and emits the events and metric values
  that make every criterion hold on a planned day; some customers get stuck (the second milestone is the
  usual bottleneck, as in the seed) and stuck customers use the product less and churn more often.
The achievement dates are not written here: the milestone engine derives them from these events."""

from __future__ import annotations

import math
import random
import unicodedata
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from demo.names import COMPANY_FIRST, COMPANY_SECOND, COMPANY_SUFFIX, FIRST_NAMES, LAST_NAMES, TITLES

SOURCE = "demo"

SEGMENTS = (("SMB", 0.55), ("Mid-Market", 0.30), ("Enterprise", 0.15))
PLANS = {
    "SMB": ("Starter", "Pro"),
    "Mid-Market": ("Pro", "Business"),
    "Enterprise": ("Business", "Enterprise"),
}
MRR_RANGE = {"Starter": (200, 800), "Pro": (800, 2500), "Business": (2500, 8000), "Enterprise": (8000, 40000)}
CONTACTS = {"SMB": (1, 3), "Mid-Market": (2, 5), "Enterprise": (3, 8)}
# Weekly product volume by segment: bigger companies generate more leads.
LEADS_PER_WEEK = {"SMB": 0.7, "Mid-Market": 1.4, "Enterprise": 2.5}
SEGMENT_PACE = {"SMB": 0.9, "Mid-Market": 1.0, "Enterprise": 1.2}

PROSPECT_SHARE = 0.2
# Chance of getting stuck at the k-th milestone (0-based). The second is the seed's bottleneck.
STUCK_AT_SECOND = 0.35
STUCK_BASE = 0.08
CHURN_WHEN_STUCK = 0.5
CHURN_OTHERWISE = 0.04

# Buyer-journey stage reached by prospects: Target, Education, Solution, Evaluation, Ready to Buy.
PROSPECT_STAGES = ((0, 0.25), (1, 0.30), (2, 0.20), (3, 0.15), (4, 0.10))


@dataclass(frozen=True)
class CriterionSpec:
    kind: str
    event_name: str
    denominator_event_name: str
    min_denominator: int
    metric: str
    comparator: str
    threshold: float
    window_days: int | None
    property_key: str = ""
    property_operator: str = ""
    property_value: str = ""


@dataclass(frozen=True)
class MilestoneSpec:
    key: str
    target_days: int
    criteria: tuple[CriterionSpec, ...]


@dataclass
class CompanyPlan:
    index: int
    external_id: str
    name: str
    domain: str
    segment: str
    plan: str
    mrr: int
    lifecycle: str
    customer_since: date | None
    churned_on: date | None
    csm_index: int
    speed: float = 1.0
    # Planned achievement day of each milestone reached (the engine derives the true dates from events).
    reached: list[date] = field(default_factory=list)
    stuck_at: int | None = None
    working_on: int | None = None  # milestone in progress at the end (not stuck)


@dataclass
class Activity:
    contacts: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    metrics: list[tuple] = field(default_factory=list)


def _weighted(rng: random.Random, choices) -> object:
    point, total = rng.random(), 0.0
    for value, weight in choices:
        total += weight
        if point < total:
            return value
    return choices[-1][0]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _needed_count(comparator: str, threshold: float) -> int:
    """Events needed for `count <comparator> threshold` to hold (0 when an empty count already holds)."""
    if comparator == "gte":
        return max(0, math.ceil(threshold - 1e-9))
    if comparator == "gt":
        return math.floor(threshold) + 1
    if comparator == "eq":
        return max(0, round(threshold))
    return 0  # ≤ and < hold with no events


def _matching_properties(criterion: CriterionSpec) -> dict:
    """Properties that satisfy the criterion's property condition."""
    if not criterion.property_key:
        return {}
    raw = criterion.property_value
    try:
        number = float(raw)
    except ValueError:
        return {criterion.property_key: raw if criterion.property_operator != "ne" else raw + "-other"}
    value = {
        "eq": number,
        "gte": number,
        "gt": number + 1,
        "lte": number,
        "lt": number - 1,
        "ne": number + 1,
    }[criterion.property_operator]
    return {criterion.property_key: int(value) if value == int(value) else value}


class WorkspaceGenerator:
    def __init__(
        self,
        *,
        seed: int,
        end: date,
        days: int,
        time_zone: str,
        csm_count: int,
        milestones: list[MilestoneSpec],
        event_type_ids: dict[str, int],
    ) -> None:
        self.seed = seed
        self.end = end
        self.start = end - timedelta(days=days)
        self.days = days
        self.tz = ZoneInfo(time_zone)
        self.csm_count = csm_count
        self.milestones = milestones
        self.type_ids = event_type_ids

    # --- companies --------------------------------------------------------------------------------------

    def plan_company(self, index: int) -> CompanyPlan:
        rng = random.Random(f"{self.seed}:{index}")
        first = COMPANY_FIRST[index % len(COMPANY_FIRST)]
        second = COMPANY_SECOND[(index // len(COMPANY_FIRST)) % len(COMPANY_SECOND)]
        suffix = rng.choice(COMPANY_SUFFIX)
        name = f"{first} {second}{suffix}"
        domain = f"{first}{second}-{index + 1}.example".lower()
        segment = _weighted(rng, SEGMENTS)
        plan = rng.choice(PLANS[segment])
        low, high = MRR_RANGE[plan]
        mrr = round(rng.uniform(low, high), -1)
        company = CompanyPlan(
            index=index,
            external_id=f"co-{index + 1:06d}",
            name=name,
            domain=domain,
            segment=segment,
            plan=plan,
            mrr=int(mrr),
            lifecycle="prospect",
            customer_since=None,
            churned_on=None,
            csm_index=rng.randrange(self.csm_count),
        )
        if rng.random() < PROSPECT_SHARE:
            company.mrr = 0
            return company
        self._plan_customer(company, rng)
        return company

    def _plan_customer(self, company: CompanyPlan, rng: random.Random) -> None:
        earliest = min(self.days - 3, max(3, self.days // 6))
        company.customer_since = self.start + timedelta(days=rng.randint(earliest, self.days - 3))
        company.lifecycle = "customer"
        company.speed = rng.lognormvariate(0, 0.45) * SEGMENT_PACE[company.segment]
        previous = company.customer_since
        for k, milestone in enumerate(self.milestones):
            stuck_chance = STUCK_AT_SECOND if k == 1 else STUCK_BASE + 0.01 * k
            if rng.random() < stuck_chance:
                company.stuck_at = k
                break
            duration = max(2, round(milestone.target_days * company.speed * rng.lognormvariate(0, 0.35)))
            day = previous + timedelta(days=duration)
            if day > self.end:
                company.working_on = k
                break
            company.reached.append(day)
            previous = day
        # Stuck customers churn far more often: the milestones predict retention.
        churn_from = None
        if company.stuck_at is not None and rng.random() < CHURN_WHEN_STUCK:
            churn_from = previous + timedelta(days=rng.randint(45, 240))
        elif rng.random() < CHURN_OTHERWISE:
            churn_from = company.customer_since + timedelta(days=rng.randint(30, max(31, self.days)))
        if churn_from is not None and churn_from < self.end:
            company.churned_on = churn_from
            company.lifecycle = "churned"
            company.reached = [day for day in company.reached if day <= churn_from]

    # --- activity ---------------------------------------------------------------------------------------

    def activity(self, company: CompanyPlan, company_id: int, first_contact_id: int) -> Activity:
        rng = random.Random(f"{self.seed}:{company.index}:activity")
        builder = _ActivityBuilder(self, company, company_id, first_contact_id, rng)
        builder.contacts()
        if company.lifecycle == "prospect":
            builder.prospect_journey()
        else:
            builder.customer_journey()
        return builder.result


class _ActivityBuilder:
    """Emits one company's contacts, events and metric values."""

    def __init__(
        self, gen: WorkspaceGenerator, company: CompanyPlan, company_id: int, first_contact_id: int, rng
    ):
        self.gen = gen
        self.company = company
        self.company_id = company_id
        self.next_contact_id = first_contact_id
        self.rng = rng
        self.result = Activity()
        self.contact_ids: list[int] = []
        self.sequence = 0
        self.sessions = 0
        # Days on which each event name was emitted (sorted), to count what a criterion already has.
        self.days_by_name: dict[str, list[date]] = {}
        self.last_day = min(gen.end, company.churned_on) if company.churned_on else gen.end

    # Emission ---------------------------------------------------------------------------------------------

    def at(self, day: date) -> datetime:
        """A moment between 07:00 and 21:00 local time on `day` (one random draw: this runs per event)."""
        seconds = 25_200 + int(self.rng.random() * 50_400)
        return datetime.combine(day, time(seconds // 3600, seconds // 60 % 60, seconds % 60), self.gen.tz)

    def emit(
        self, name: str, day: date, *, props: dict | None = None, session: str = "", contact: bool = True
    ):
        if day > self.last_day or day < self.gen.start:
            return
        occurred = self.at(day)
        self.sequence += 1
        contact_id = None
        draw = self.rng.random()
        if contact and self.contact_ids and draw < 0.75:
            contact_id = self.contact_ids[int(draw / 0.75 * len(self.contact_ids))]
        self.result.events.append(
            (
                self.company_id,
                self.gen.type_ids[name],
                occurred,
                occurred + timedelta(seconds=1 + int(draw * 89)),
                SOURCE,
                f"{self.gen.seed}-{self.company.index}-{self.sequence}",
                contact_id,
                session,
                props or {},
            )
        )
        insort(self.days_by_name.setdefault(name, []), day)

    def visit(self, day: date, events: list[tuple[str, dict]], *, minutes: tuple[int, int] = (2, 20)) -> None:
        """A session: session_started plus the events seen in it, all carrying the session id."""
        self.sessions += 1
        session = f"s-{self.gen.seed}-{self.company.index}-{self.sessions}"
        duration = self.rng.randint(minutes[0] * 60, minutes[1] * 60)
        self.emit(
            "session_started",
            day,
            props={"session_id": session, "duration_seconds": duration},
            session=session,
        )
        for name, props in events:
            self.emit(name, day, props={"session_id": session, **props}, session=session)

    def count_between(self, name: str, low: date, high: date) -> int:
        days = self.days_by_name.get(name, [])
        return bisect_right(days, high) - bisect_left(days, low)

    def spread(self, name: str, count: int, low: date, high: date, *, props: dict | None = None) -> None:
        """`count` events between `low` and `high`, the last one on `high` (so a count completes that day)."""
        if count <= 0:
            return
        span = max(0, (high - low).days)
        for _ in range(count - 1):
            self.emit(name, low + timedelta(days=self.rng.randint(0, span)), props=props)
        self.emit(name, high, props=props)

    # Contacts -------------------------------------------------------------------------------------------

    def contacts(self) -> None:
        company, rng = self.company, self.rng
        low, high = CONTACTS[company.segment]
        for n in range(rng.randint(low, high)):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            contact_id = self.next_contact_id
            self.next_contact_id += 1
            self.contact_ids.append(contact_id)
            email = _ascii(f"{first}.{last}.{n}@{company.domain}").lower()
            self.result.contacts.append(
                (
                    contact_id,
                    self.company_id,
                    f"u-{company.index + 1}-{n + 1}",
                    email,
                    f"{first} {last}",
                    rng.choice(TITLES),
                    datetime.combine(self.gen.start, time(9), self.gen.tz),
                )
            )

    # Buyer journey --------------------------------------------------------------------------------------

    def stage_visit(self, stage: int, day: date) -> None:
        rng = self.rng
        if stage == 0:
            self.visit(day, [("blog_viewed", {"content_stage": "problem"})], minutes=(1, 4))
        elif stage == 1:
            events = [("blog_viewed", {"content_stage": "problem"}) for _ in range(rng.randint(1, 3))]
            roll = rng.random()
            if roll < 0.25:
                events.append(
                    (
                        "report_downloaded",
                        {"attention_ratio": round(rng.uniform(0.8, 1.7), 2), "content_stage": "problem"},
                    )
                )
            elif roll < 0.4:
                events.append(
                    (
                        "webinar_attended",
                        {"webinar_type": "industry", "percent_watched": rng.randint(30, 100)},
                    )
                )
            self.visit(day, events, minutes=(3, 15))
        elif stage == 2:
            roll = rng.random()
            if roll < 0.35:
                events = [
                    (
                        "guide_downloaded",
                        {"completion": round(rng.uniform(0.3, 1.0), 2), "content_stage": "solution"},
                    )
                ]
            elif roll < 0.55:
                events = [("roi_calculator_used", {"content_stage": "solution"})]
            elif roll < 0.7:
                events = [
                    (
                        "webinar_attended",
                        {
                            "webinar_type": "product",
                            "percent_watched": rng.randint(40, 100),
                            "content_stage": "solution",
                        },
                    )
                ]
            else:
                events = [("pricing_page_viewed", {}), ("features_page_viewed", {})]
            self.visit(day, events, minutes=(5, 25))
        elif stage == 3:
            roll = rng.random()
            if roll < 0.3:
                events = [(rng.choice(("demo_requested", "trial_started")), {})]
            elif roll < 0.6:
                events = [
                    (
                        rng.choice(("case_study_downloaded", "comparison_downloaded")),
                        {"content_stage": "evaluation"},
                    )
                ]
            else:
                events = [("pricing_page_viewed", {}), ("features_page_viewed", {})]
            self.visit(day, events, minutes=(5, 30))
        else:
            name = rng.choice(
                (
                    "proposal_viewed",
                    "contract_viewed",
                    "sales_meeting_attended",
                    "security_info_requested",
                    "onboarding_doc_viewed",
                    "reference_requested",
                )
            )
            self.visit(day, [(name, {"content_stage": "decision"})], minutes=(10, 40))

    def buyer_journey(self, final_stage: int, first: date, last: date) -> None:
        """Visits from `first` to `last`, moving up through the stages to `final_stage`."""
        rng = self.rng
        visits = rng.randint(*((1, 3), (3, 7), (5, 11), (8, 16), (10, 20))[final_stage])
        span = max(0, (last - first).days)
        days = sorted(first + timedelta(days=rng.randint(0, span)) for _ in range(visits))
        for n, day in enumerate(days):
            self.stage_visit(min(final_stage, n * (final_stage + 1) // visits), day)

    def prospect_journey(self) -> None:
        rng, gen = self.rng, self.gen
        final_stage = _weighted(rng, PROSPECT_STAGES)
        first = gen.start + timedelta(days=rng.randint(0, max(0, gen.days - 14)))
        last = min(gen.end, first + timedelta(days=rng.randint(14, 120)))
        self.buyer_journey(final_stage, first, last)
        if rng.random() < 0.08:
            self.emit("unsubscribed", first + timedelta(days=rng.randint(0, max(0, (gen.end - first).days))))
        if rng.random() < 0.12:
            self.emit(
                "competitor_visited", first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
            )

    # Customer journey -----------------------------------------------------------------------------------

    def customer_journey(self) -> None:
        company, rng, gen = self.company, self.rng, self.gen
        since = company.customer_since
        first = max(gen.start, since - timedelta(days=rng.randint(30, 120)))
        self.buyer_journey(4, first, since - timedelta(days=1))
        self.emit(
            "proposal_viewed", since - timedelta(days=rng.randint(1, 5)), props={"content_stage": "decision"}
        )
        self.emit("sales_meeting_attended", since - timedelta(days=1))
        for _ in range(rng.randint(0, 3)):
            self.emit("onboarding_doc_viewed", since + timedelta(days=rng.randint(0, 30)))
        self.product_usage()
        metric_requirements: dict[str, list[tuple[date, float, bool]]] = {}
        previous = since
        for k, milestone in enumerate(gen.milestones):
            if k < len(company.reached):
                self.work_on(milestone, previous, company.reached[k], metric_requirements, complete=True)
                previous = company.reached[k]
            elif k == company.stuck_at or k == company.working_on:
                planned = previous + timedelta(days=max(2, round(milestone.target_days * company.speed)))
                self.work_on(
                    milestone,
                    previous,
                    planned,
                    metric_requirements,
                    complete=False,
                    blocker=k == company.stuck_at,
                )
                break
            else:
                break
        self.metric_series(metric_requirements, since)

    def product_usage(self) -> None:
        """Background use: app sessions, and the steady output of what each reached milestone unlocked."""
        company, rng = self.company, self.rng
        since, reached = company.customer_since, company.reached
        stuck_day = reached[-1] if company.stuck_at is not None and reached else since
        blockers = self.blocker_names()
        day = since
        while day <= self.last_day:
            stuck_long = company.stuck_at is not None and (day - stuck_day).days > 60
            for _ in range(self._poisson(0.3 if stuck_long else 1.0)):
                self.visit(day + timedelta(days=rng.randint(0, 6)), [], minutes=(5, 45))
            done = sum(1 for reached_day in reached if reached_day <= day)
            weekly = {
                "lead_created": LEADS_PER_WEEK[company.segment] * (1 + 0.25 * max(0, done - 4))
                if done >= 1
                else 0,
                "email_campaign_sent": 0.4 if done >= 2 else 0,
                "blog_post_published": 0.6 if done >= 3 else 0,
                "deal_won": 0.15 * (1 + 0.3 * max(0, done - 4)) if done >= 4 else 0,
            }
            for name, rate in weekly.items():
                if name in blockers or not rate:
                    continue
                for _ in range(self._poisson(rate)):
                    self.emit(name, day + timedelta(days=rng.randint(0, 6)))
                    if name == "lead_created" and rng.random() < 0.1 and "lead_qualified" not in blockers:
                        self.emit("lead_qualified", day + timedelta(days=rng.randint(0, 6)))
            day += timedelta(days=7)

    def blocker_names(self) -> set[str]:
        company = self.company
        if company.stuck_at is None:
            return set()
        return {c.event_name for c in self.gen.milestones[company.stuck_at].criteria if c.event_name}

    def work_on(
        self,
        milestone: MilestoneSpec,
        start: date,
        done: date,
        metric_requirements,
        *,
        complete: bool,
        blocker: bool = False,
    ) -> None:
        """Events and metric requirements that make the checklist hold on `done` (when `complete`).

        When not complete, the customer is either stuck (one criterion, the blocker, never reaches its
        threshold) or still working (criteria due after today are partly done)."""
        rng = self.rng
        criteria = list(milestone.criteria)
        blocked = rng.randrange(len(criteria)) if blocker and criteria else None
        span = max(1, (done - start).days)
        last = rng.randrange(len(criteria)) if criteria else None
        for i, criterion in enumerate(criteria):
            windowed = criterion.window_days is not None and criterion.kind != "metric"
            # Every criterion holds by `done`; one of them (and windowed ones, which could lapse) on `done`.
            due = done if (i == last or windowed) else start + timedelta(days=rng.randint(1, span))
            share = 1.0
            if i == blocked:
                share = rng.uniform(0.3, 0.8)
            elif not complete and due > self.gen.end:
                share = min(1.0, max(0.0, (self.gen.end - start).days / span))
                due = min(due, self.gen.end)
            if criterion.kind == "metric":
                metric_requirements.setdefault(criterion.metric, []).append(
                    (due, criterion.threshold, share >= 1.0)
                )
            elif criterion.kind == "event_count":
                self.satisfy_count(criterion, start, due, share)
            else:
                self.satisfy_ratio(criterion, start, due, share)

    def satisfy_count(self, criterion: CriterionSpec, start: date, due: date, share: float) -> None:
        low = start
        if criterion.window_days:
            low = max(start, due - timedelta(days=criterion.window_days - 1))
            have = self.count_between(
                criterion.event_name, due - timedelta(days=criterion.window_days - 1), due
            )
        else:
            have = self.count_between(criterion.event_name, self.gen.start, due)
        needed = _needed_count(criterion.comparator, criterion.threshold)
        target = needed if share >= 1.0 else min(needed - 1, int(needed * share))
        self.spread(criterion.event_name, target - have, low, due, props=_matching_properties(criterion))

    def satisfy_ratio(self, criterion: CriterionSpec, start: date, due: date, share: float) -> None:
        low = start
        window_low = self.gen.start
        if criterion.window_days:
            window_low = due - timedelta(days=criterion.window_days - 1)
            low = max(start, window_low)
        denominator = max(
            criterion.min_denominator, self.count_between(criterion.denominator_event_name, window_low, due)
        )
        self.spread(
            criterion.denominator_event_name,
            denominator - self.count_between(criterion.denominator_event_name, window_low, due),
            low,
            due,
        )
        wanted = _needed_count(criterion.comparator, criterion.threshold * denominator)
        if share < 1.0:
            wanted = min(wanted - 1, int(wanted * share))
        self.spread(
            criterion.event_name,
            wanted - self.count_between(criterion.event_name, window_low, due),
            low,
            due,
            props=_matching_properties(criterion),
        )

    def metric_series(self, requirements: dict[str, list[tuple[date, float, bool]]], since: date) -> None:
        """A value every two weeks per metric, below each threshold until the day it is met, then above it
        (with the occasional dip); a requirement not met stays below its threshold."""
        rng = self.rng
        for metric, reqs in requirements.items():
            reqs.sort()
            first_threshold = reqs[0][1]
            values: dict[date, float] = {}
            day = since + timedelta(days=rng.randint(1, 10))
            while day <= self.last_day:
                values[day] = self._metric_value(reqs, day, first_threshold)
                day += timedelta(days=14)
            for due, threshold, met in reqs:
                if met and due <= self.last_day:
                    # Met on its day: at or just above the threshold, still below the next one.
                    ceiling = next((t for d, t, _ in reqs if d > due and t > threshold), None)
                    value = threshold * rng.uniform(1.0, 1.12)
                    values[due] = max(threshold, min(value, ceiling * 0.97) if ceiling else value)
            whole = first_threshold >= 1  # visits are counts; rates keep four decimals
            met_days = {due: threshold for due, threshold, met in reqs if met}
            for day in sorted(values):
                value = round(values[day]) if whole else round(values[day], 4)
                if day in met_days and value < met_days[day]:
                    value = math.ceil(met_days[day]) if whole else math.ceil(met_days[day] * 10_000) / 10_000
                self.result.metrics.append((self.company_id, metric, day, float(value)))

    def _metric_value(self, reqs: list[tuple[date, float, bool]], day: date, first_threshold: float) -> float:
        rng = self.rng
        floor = first_threshold * 0.4
        for due, threshold, met in reqs:
            if met and due <= day:
                floor = threshold
        cap = next((threshold for due, threshold, met in reqs if not (met and due <= day)), None)
        if cap is None:
            value = floor * rng.uniform(1.0, 1.3)
            return value * 0.9 if rng.random() < 0.1 else value
        return rng.uniform(min(floor, cap * 0.95), cap * 0.97)

    def _poisson(self, mean: float) -> int:
        # Knuth's method: fine for the small means used here.
        limit, count, product = math.exp(-mean), 0, self.rng.random()
        while product > limit:
            count += 1
            product *= self.rng.random()
        return count
