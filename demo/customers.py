"""A customer's activity: the buyer journey that led to the purchase, then product usage and the work on
each milestone, emitting what makes its checklist hold on the planned day (or not quite, when stuck)."""

from __future__ import annotations

import math
from datetime import date, timedelta

from demo.activity import ActivityBuilder
from demo.specs import (
    LEADS_PER_WEEK,
    CriterionSpec,
    MilestoneSpec,
    matching_properties,
)
from milestones import rules


class CustomerActivity(ActivityBuilder):
    """The activity of a customer (or a churned one)."""

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
        needed = rules.fewest_events(criterion.comparator, criterion.threshold)
        target = needed if share >= 1.0 else min(needed - 1, int(needed * share))
        self.spread(criterion.event_name, target - have, low, due, props=matching_properties(criterion))

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
        wanted = rules.fewest_numerator(criterion.check, denominator)
        if share < 1.0:
            wanted = min(wanted - 1, int(wanted * share))
        self.spread(
            criterion.event_name,
            wanted - self.count_between(criterion.event_name, window_low, due),
            low,
            due,
            props=matching_properties(criterion),
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
