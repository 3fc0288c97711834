"""A small world for CTA tests: two milestones, a 30-day "stuck at the second" EBR rule with a playbook,
and Alice's customers reaching the first milestone on chosen days."""

from __future__ import annotations

from datetime import date

import pytest

from ctas.services.generate import ctas_generate
from milestones.models import CTARule, CTAType
from playbooks.models import PlaybookTask
from tests.factories import CompanyFactory
from tests.milestones.helpers import add_events, assess, count, milestone


@pytest.fixture
def ebr(db):
    return CTAType.objects.get_or_create(slug="ebr", defaults={"name": "EBR"})[0]


@pytest.fixture
def two_milestones(db):
    first = milestone("first", count("a", 1), order=1)
    second = milestone("second", count("b", 1), order=2)
    return first, second


@pytest.fixture
def stuck_rule(ebr, two_milestones):
    rule = CTARule.objects.create(
        name="EBR stuck at the second",
        milestone=two_milestones[1],
        min_days_at_position=30,
        cta_type=ebr,
        priority=1,
        due_in_days=14,
        cooldown_days=20,
    )
    PlaybookTask.objects.create(rule=rule, order=1, title="Review the account", due_offset_days=0)
    PlaybookTask.objects.create(rule=rule, order=2, title="Hold the EBR", due_offset_days=7)
    return rule


def customer(csm, *, first_on: str | None = "2026-01-10", **fields):
    """A customer since 2026-01-05 who reached the first milestone on `first_on`."""
    company = CompanyFactory(csm=csm, customer_since=date(2026, 1, 5), **fields)
    if first_on:
        add_events(company, "a", first_on)
    return company


def day(text: str):
    """Assess the day, then generate its CTAs."""
    assess(text)
    return ctas_generate(as_of=date.fromisoformat(text))


@pytest.fixture
def time_machine_today():
    """Move "today" (the day people act on) to a given day, at noon in the workspace."""
    from datetime import datetime, time

    from freezegun import freeze_time

    from core.days import workspace_tz

    freezers = []

    def travel(to: date) -> None:
        if freezers:
            freezers.pop().stop()
        freezer = freeze_time(datetime.combine(to, time(12), tzinfo=workspace_tz()), tick=True)
        freezer.start()
        freezers.append(freezer)

    yield travel
    for freezer in freezers:
        freezer.stop()
