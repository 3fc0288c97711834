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

import random
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from demo.activity import ActivityBuilder
from demo.customers import CustomerActivity
from demo.names import COMPANY_FIRST, COMPANY_SECOND, COMPANY_SUFFIX
from demo.specs import (
    CHURN_OTHERWISE,
    CHURN_WHEN_STUCK,
    MRR_RANGE,
    PLANS,
    PROSPECT_SHARE,
    SEGMENT_PACE,
    SEGMENTS,
    STUCK_AT_SECOND,
    STUCK_BASE,
    Activity,
    CompanyPlan,
    MilestoneSpec,
    Workspace,
    weighted,
)


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
        self.workspace = Workspace(seed, self.start, end, days, self.tz, milestones, event_type_ids)

    # --- companies --------------------------------------------------------------------------------------

    def plan_company(self, index: int) -> CompanyPlan:
        rng = random.Random(f"{self.seed}:{index}")
        first = COMPANY_FIRST[index % len(COMPANY_FIRST)]
        second = COMPANY_SECOND[(index // len(COMPANY_FIRST)) % len(COMPANY_SECOND)]
        suffix = rng.choice(COMPANY_SUFFIX)
        name = f"{first} {second}{suffix}"
        domain = f"{first}{second}-{index + 1}.example".lower()
        segment = weighted(rng, SEGMENTS)
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
        if company.lifecycle == "prospect":
            prospect = ActivityBuilder(self.workspace, company, company_id, first_contact_id, rng)
            prospect.contacts()
            prospect.prospect_journey()
            return prospect.result
        customer = CustomerActivity(self.workspace, company, company_id, first_contact_id, rng)
        customer.contacts()
        customer.customer_journey()
        return customer.result
