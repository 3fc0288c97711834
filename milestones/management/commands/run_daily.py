from __future__ import annotations

from django.core.management.base import BaseCommand

from milestones.management.commands._daily import as_of_argument, run_and_report, score_and_report


class Command(BaseCommand):
    help = (
        "Run all daily jobs for a day, in order, in this process: the milestone assessment with the funnel "
        "snapshot, then the journey scores and their decay. Use it to backfill or rerun any day; it is safe to "
        "repeat."
    )

    def add_arguments(self, parser) -> None:
        as_of_argument(parser)

    def handle(self, *args, as_of, **options) -> None:
        run_and_report(self, job="daily", as_of=as_of, rebuild=False)
        score_and_report(self, as_of=as_of)
