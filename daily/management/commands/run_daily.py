from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand

from core.commands import as_of_argument, lease_held_error
from core.days import yesterday
from daily.services import daily_run_inline


class Command(BaseCommand):
    help = (
        "Run all daily jobs for a day, in order, in this process: the milestone assessment with the funnel "
        "snapshot, then the journey scores and their decay. Use it to backfill or rerun any day; it is safe to "
        "repeat. Exits 75 when a job did not run because another run of it holds its lease."
    )

    def add_arguments(self, parser) -> None:
        as_of_argument(parser)

    def handle(self, *args, as_of: date | None, **options) -> None:
        report = daily_run_inline(as_of=as_of or yesterday())
        skipped = [summary["skipped"] for summary in report.values() if "skipped" in summary]
        for summary in report.values():
            if "skipped" not in summary:
                self.stdout.write(json.dumps(summary))
        if skipped:
            raise lease_held_error(skipped)  # the jobs that could run did; this one says the rest did not
