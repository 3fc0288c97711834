from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from core.commands import as_of_argument, lease_held_error
from core.days import yesterday
from core.locks import LeaseHeld
from ctas.services.generate import NotAssessed, ctas_generate


class Command(BaseCommand):
    help = (
        "Generate the day's CTAs from the milestone assessment of that day: new CTAs for the companies the "
        "active CTA rules fire for, with their playbook tasks; snoozes that ended wake up; CTAs close when "
        "the company moved past the milestone or churned. Idempotent per day. Exits 75 when another run holds the lease."
    )

    def add_arguments(self, parser) -> None:
        as_of_argument(parser, what="The day (the assessment must have assessed it)")

    def handle(self, *args, as_of: date | None, **options) -> None:
        try:
            result = ctas_generate(as_of=as_of or yesterday())
        except LeaseHeld as held:
            raise lease_held_error([str(held)]) from held
        except NotAssessed as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(result.as_dict()))
