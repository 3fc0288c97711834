from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from core.commands import as_of_argument, lease_held_error
from core.days import yesterday
from core.locks import LeaseHeld, LeaseLost
from milestones.services.runs import run_inline


class Command(BaseCommand):
    help = (
        "Assess every customer's milestone checklists as of a day: new achievements with the earliest day "
        "their checklists held, position, stuck, health, and the day's funnel snapshot. Idempotent per day. "
        "Exits 75 when another run holds the lease."
    )

    def add_arguments(self, parser) -> None:
        as_of_argument(parser, what="The day to assess")
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Re-derive all achievements from the whole history (after an admin changed a checklist).",
        )

    def handle(self, *args, as_of: date | None, rebuild: bool, **options) -> None:
        try:
            summary = run_inline(job="milestones", as_of=as_of or yesterday(), rebuild=rebuild)
        except LeaseHeld as held:
            raise lease_held_error([str(held)]) from held
        except LeaseLost as lost:
            raise CommandError(str(lost)) from lost
        self.stdout.write(json.dumps(summary))
