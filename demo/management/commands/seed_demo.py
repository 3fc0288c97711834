from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from companies.models import Company
from core.days import day_end, yesterday
from demo.seed import DEMO_PASSWORD, WorkspaceNotEmpty, demo_recent_load, demo_seed
from journey.services.install import scoring_install, stages_install
from journey.services.scoring import journey_score
from milestones.services.install import milestones_install
from playbooks.services import content_install


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Generate a realistic demo workspace: CSMs, companies across segments and plans, contacts, and months "
        "of buyer-journey and product-usage events and metric values. The same seed gives the same data."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--companies", type=_positive, default=1000)
        parser.add_argument("--days", type=_positive, default=365, help="Days of history (default 365).")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--end",
            type=date.fromisoformat,
            default=None,
            help="Last day of history, YYYY-MM-DD (default: yesterday, the last complete day).",
        )
        parser.add_argument(
            "--replace", action="store_true", help="Delete existing companies and their data first."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the workspace already has companies."
        )
        parser.add_argument(
            "--live-days",
            type=int,
            default=0,
            help="Score the history up to this many days before the end, then load those days' events as "
            "new arrivals: the next scoring run (run_daily) notifies their stage changes, as it would live.",
        )

    def handle(
        self,
        *args,
        companies: int,
        days: int,
        seed: int,
        end: date | None,
        replace: bool,
        if_empty: bool,
        live_days: int,
        **options,
    ):
        if not 0 <= live_days < days:
            raise CommandError("--live-days is a number of days, from 0 to one less than --days.")
        if if_empty and Company.objects.exists():
            self.stdout.write(
                f"The workspace already has {Company.objects.count():,} companies; not seeding."
            )
            return
        # The generator follows the installed checklists; install the defaults where nothing is installed.
        stages_install()
        scoring_install()
        milestones_install()
        content_install()
        try:
            report = demo_seed(
                companies=companies,
                days=days,
                seed=seed,
                end=end,
                replace=replace,
                live_days=live_days,
                progress=lambda message: self.stderr.write(f"  {message}"),
            )
        except WorkspaceNotEmpty as exc:
            raise CommandError(str(exc)) from exc
        if live_days:
            last = end or yesterday()
            journey_score(until=day_end(last - timedelta(days=live_days)))  # the history, recorded quietly
            arrived = demo_recent_load(report.recent)
            self.stdout.write(f"{arrived:,} events of the last {live_days} days arrive after the history.")
        self.stdout.write(
            f"Demo workspace: {report.companies:,} companies, {report.contacts:,} contacts, "
            f"{report.events:,} events, {report.metric_values:,} metric values in {report.seconds:.1f} s."
        )
        self.stdout.write(
            f"Log in as admin, manager or csm1…csm{report.csms}; "
            f"the password of every demo user is {DEMO_PASSWORD!r}."
        )
