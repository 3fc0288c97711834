"""A small hand-built population whose funnel is worked out by hand in test_funnel.py.

Three milestones; CTA rules: stuck at M2 after 30 days, at any milestone after 90. As of 2026-06-30:

    company  segment/plan        CSM    since  milestones (day)                    end
    A        SMB/Pro             alice  01-01  M1 01-11, M2 02-10, M3 03-12
    B        SMB/Pro             alice  01-01  M1 01-21, M2 03-22
    C        Mid-Market/Business bob    02-01  M1 02-11
    D        SMB/Starter         bob    03-01  M1 03-31
    E        Mid-Market/Pro      alice  05-01  —
    F        SMB/Pro             alice  01-15  M1 02-14                            churned 04-15
    G        Enterprise/Ent.     —      02-01  —                                   churned 03-01
    J        SMB/Pro             alice  01-01  M2 02-01 (out of order: no M1)
    I        SMB/Pro             alice  07-10  (a customer only after the day)
    P        a prospect"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from companies.models import Company
from milestones.models import CTARule
from tests.factories import AchievementFactory, CompanyFactory, MilestoneFactory, PhaseFactory

DAY = date(2026, 6, 30)
PAST = date(2026, 3, 15)


@dataclass
class Population:
    milestones: list
    companies: dict
    alice: object
    bob: object


def d(month: int, day: int) -> date:
    return date(2026, month, day)


@pytest.fixture
def population(db, csm, other_csm) -> Population:
    phase = PhaseFactory(key="prove", name="Prove", order=1)
    m1, m2, m3 = (
        MilestoneFactory(phase=phase, order=n, key=f"m{n}", name=f"Milestone {n}") for n in (1, 2, 3)
    )
    CTARule.objects.create(name="EBR at M2", milestone=m2, min_days_at_position=30)
    CTARule.objects.create(name="EBR any", milestone=None, min_days_at_position=90)
    spec = {
        "A": ("SMB", "Pro", csm, d(1, 1), {m1: d(1, 11), m2: d(2, 10), m3: d(3, 12)}, None),
        "B": ("SMB", "Pro", csm, d(1, 1), {m1: d(1, 21), m2: d(3, 22)}, None),
        "C": ("Mid-Market", "Business", other_csm, d(2, 1), {m1: d(2, 11)}, None),
        "D": ("SMB", "Starter", other_csm, d(3, 1), {m1: d(3, 31)}, None),
        "E": ("Mid-Market", "Pro", csm, d(5, 1), {}, None),
        "F": ("SMB", "Pro", csm, d(1, 15), {m1: d(2, 14)}, d(4, 15)),
        "G": ("Enterprise", "Enterprise", None, d(2, 1), {}, d(3, 1)),
        "J": ("SMB", "Pro", csm, d(1, 1), {m2: d(2, 1)}, None),
        "I": ("SMB", "Pro", csm, d(7, 10), {}, None),
    }
    companies = {}
    for name, (segment, plan, owner, since, achieved, churned) in spec.items():
        company = CompanyFactory(
            external_id=f"co-{name}",
            name=f"Company {name}",
            segment=segment,
            plan=plan,
            csm=owner,
            customer_since=since,
            churned_on=churned,
            lifecycle=Company.Lifecycle.CHURNED if churned else Company.Lifecycle.CUSTOMER,
        )
        for milestone, day in achieved.items():
            AchievementFactory(company=company, milestone=milestone, achieved_on=day)
        companies[name] = company
    companies["P"] = CompanyFactory(
        external_id="co-P", lifecycle=Company.Lifecycle.PROSPECT, customer_since=None
    )
    return Population([m1, m2, m3], companies, csm, other_csm)
