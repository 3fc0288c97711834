from __future__ import annotations

from django.core.management.base import BaseCommand

from milestones.management.commands._daily import as_of_argument, run_and_report


class Command(BaseCommand):
    help = (
        "Assess every customer's milestone checklists as of a day: new achievements with the earliest day "
        "their checklists held, position, stuck, health, and the day's funnel snapshot. Idempotent per day."
    )

    def add_arguments(self, parser) -> None:
        as_of_argument(parser)
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Re-derive all achievements from the whole history (after an admin changed a checklist).",
        )

    def handle(self, *args, as_of, rebuild: bool, **options) -> None:
        run_and_report(self, job="milestones", as_of=as_of, rebuild=rebuild)
