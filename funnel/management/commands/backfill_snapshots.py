from __future__ import annotations

import json
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from core.commands import _day
from core.days import yesterday
from core.locks import LeaseHeld
from funnel.services import snapshots_build


class Command(BaseCommand):
    help = (
        "Rewrite the analytics snapshots (success funnel, buyer stages) of every day from --from to --to "
        "from the achievements and the company history, and the forecasts made on --to. Idempotent: a rerun "
        "writes the same rows. Run it after `assess_milestones --rebuild`, or to chart days before the first "
        "daily run."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--from", dest="first", type=_day, default=None, metavar="YYYY-MM-DD")
        parser.add_argument(
            "--days", type=int, default=None, help="Instead of --from: the N days up to --to."
        )
        parser.add_argument(
            "--to", dest="last", type=_day, default=None, metavar="YYYY-MM-DD", help="Default: yesterday."
        )

    def handle(self, *args, first: date | None, last: date | None, days: int | None, **options) -> None:
        last = last or yesterday()
        if (first is None) == (days is None):
            raise CommandError("Give --from or --days.")
        if days is not None:
            if not 1 <= days <= 3660:
                raise CommandError("--days is between 1 and 3660.")
            first = last - timedelta(days=days - 1)
        assert first is not None
        if first > last:
            raise CommandError("--from is after --to.")
        try:
            summary = snapshots_build(first=first, last=last)
        except LeaseHeld as held:
            self.stdout.write(f"Not running: {held}")
            return
        self.stdout.write(json.dumps(summary))
