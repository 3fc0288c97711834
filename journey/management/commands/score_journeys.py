from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand

from core.commands import as_of_argument, lease_held_error
from core.days import day_end, yesterday
from core.locks import LeaseHeld
from journey.services.scoring import journey_rebuild, journey_score


class Command(BaseCommand):
    help = (
        "Bring every company's buyer-journey score up to the end of a day: apply the events received since "
        "the last run (late events replay their company) and the decay that fell due. Idempotent per day. Exits 75 "
        "when another scoring run holds the lease."
    )

    def add_arguments(self, parser) -> None:
        as_of_argument(parser)
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Replay every company from its first event (after a rule change), without notifications.",
        )

    def handle(self, *args, as_of: date | None, rebuild: bool, **options) -> None:
        until = day_end(as_of or yesterday())
        try:
            summary = journey_rebuild(until=until) if rebuild else journey_score(until=until)
        except LeaseHeld as held:
            raise lease_held_error([str(held)]) from held
        self.stdout.write(json.dumps(summary.as_dict()))
