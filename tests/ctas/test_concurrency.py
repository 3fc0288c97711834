"""Two CTA runs for one day at once, on PostgreSQL: one works, the other is told the job is running, and
every company has one CTA; two people changing one CTA at once apply one after the other."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from core.locks import LeaseHeld
from ctas.models import CTA, CTAChange, CTATask
from ctas.services.generate import ctas_generate
from tests.ctas.helpers import customer
from tests.milestones.helpers import assess

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a server database shared by threads"),
]


def at_once(*actions) -> list[str]:
    start = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action) -> None:
        try:
            start.wait()
            action()
            outcomes.append("worked")
        except LeaseHeld:
            outcomes.append("skipped")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_runs_at_once_make_one_cta_per_company(csm, stuck_rule):
    for index in range(15):
        customer(csm, name=f"C{index}")
    assess("2026-02-10")
    outcomes = at_once(*(lambda: ctas_generate(as_of=date(2026, 2, 10)) for _ in range(2)))
    assert outcomes in (["skipped", "worked"], ["worked", "worked"])  # the second may start after the first
    assert CTA.objects.count() == 15
    assert CTATask.objects.count() == 30
    assert CTAChange.objects.count() == 15


def test_two_closes_at_once_close_once(csm, stuck_rule, time_machine_today):
    from ctas.services.lifecycle import cta_close

    customer(csm)
    assess("2026-02-10")
    ctas_generate(as_of=date(2026, 2, 10))
    cta = CTA.objects.get()
    time_machine_today(date(2026, 2, 11))
    errors: list[Exception] = []

    def close(outcome: str):
        def action() -> None:
            try:
                cta_close(user=csm, cta_id=cta.pk, outcome=outcome)
            except Exception as error:  # the loser's "already closed"
                errors.append(error)

        return action

    at_once(close("done"), close("not_needed"))
    assert len(errors) == 1 and "closed on" in str(errors[0])
    assert CTAChange.objects.filter(cta=cta, field="outcome").count() == 1


def test_two_overlapping_covers_at_once_one_is_refused(csm, other_csm, manager):
    from django.core.exceptions import ValidationError

    from accounts.models import Cover
    from accounts.services import cover_set

    refused: list[Exception] = []

    def cover(by):
        def action() -> None:
            try:
                cover_set(
                    csm=csm, covered_by=other_csm, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 9), by=by
                )
            except ValidationError as error:
                refused.append(error)

        return action

    at_once(cover(csm), cover(manager))
    assert Cover.objects.filter(csm=csm).count() == 1 and len(refused) == 1
