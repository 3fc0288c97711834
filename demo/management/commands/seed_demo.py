from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from companies.models import Company
from demo.seed import DEMO_PASSWORD, WorkspaceNotEmpty, demo_seed
from journey.services.install import scoring_install, stages_install
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

    def handle(
        self,
        *args,
        companies: int,
        days: int,
        seed: int,
        end: date | None,
        replace: bool,
        if_empty: bool,
        **options,
    ):
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
                progress=lambda message: self.stderr.write(f"  {message}"),
            )
        except WorkspaceNotEmpty as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Demo workspace: {report.companies:,} companies, {report.contacts:,} contacts, "
            f"{report.events:,} events, {report.metric_values:,} metric values in {report.seconds:.1f} s."
        )
        self.stdout.write(
            f"Log in as admin, manager or csm1…csm{report.csms}; "
            f"the password of every demo user is {DEMO_PASSWORD!r}."
        )
