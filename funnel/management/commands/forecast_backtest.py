from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from core.commands import as_of_argument
from funnel.forecast import backtest
from funnel.members import AnalyticsFilter, members_load
from funnel.selectors import last_day
from milestones.models import Milestone


class Command(BaseCommand):
    help = (
        "Backtest the throughput forecast: forecast as of a past day from what was known then, and compare "
        "with the customers that did reach each milestone in the following days. Prints the error."
    )

    def add_arguments(self, parser) -> None:
        as_of_argument(
            parser,
            what="The past day the forecast is made on (default: the horizon before the last assessed day)",
        )
        parser.add_argument("--horizon", type=int, default=90, choices=[30, 90])

    def handle(self, *args, as_of: date | None, horizon: int, **options) -> None:
        latest = last_day()
        if as_of is None:
            if latest is None:
                raise CommandError("Nothing assessed yet: give --as-of.")
            as_of = latest - timedelta(days=horizon)
        milestones = list(Milestone.objects.in_sequence())
        journeys = [m.journey for m in members_load(AnalyticsFilter(), [m.pk for m in milestones])]
        result = backtest(journeys, len(milestones), as_of.toordinal(), horizon)
        self.stdout.write(f"Forecast made as of {as_of}, next {horizon} days, against what happened:")
        self.stdout.write(f"{'milestone':<32} {'waiting':>8} {'forecast':>9} {'range':>11} {'actual':>7}")
        for milestone, (row, actual) in zip(milestones, result.rows, strict=True):
            if row.expected is None:
                forecast, spread = "declined", f"(n={row.group})"
            else:
                forecast, spread = f"{row.expected:.1f}", f"{row.low}–{row.high}"
            self.stdout.write(
                f"{milestone.name[:32]:<32} {row.waiting:>8} {forecast:>9} {spread:>11} {actual:>7}"
            )
        inside, total = result.within_range
        error = f"{result.error:+.1%}" if result.error is not None else "n/a"
        self.stdout.write(
            f"total: forecast {result.forecast_total:.1f}, actual {result.actual_total}, error {error}; "
            f"actual within the range for {inside} of {total} milestones"
        )
        accounts = result.accounts
        if accounts.accounts:
            self.stdout.write(
                f"per account ({accounts.accounts} customers forecast): mean P(within {horizon} days) "
                f"{accounts.predicted:.3f}, share that did {accounts.happened:.3f}, Brier score {accounts.brier:.3f}"
            )
