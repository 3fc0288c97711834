from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from journey.services.install import scoring_install, stages_install
from milestones.services.install import milestones_install
from playbooks.services import content_install


class Command(BaseCommand):
    help = (
        "Install the default methodology: buyer-journey stages, scoring rules and stage triggers, phases, "
        "milestones with their checklists, CTA rules, task lists and resources. Idempotent; admin edits are "
        "kept unless --reset."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Restore the default rows to their default content (rows admins added are kept).",
        )

    def handle(self, *args, reset: bool, **options) -> None:
        with transaction.atomic():
            report = stages_install(reset=reset)
            report += scoring_install(reset=reset)
            report += milestones_install(reset=reset)
            report += content_install(reset=reset)
        if not report:
            self.stdout.write("Methodology already installed; nothing to do.")
            return
        for what, count in sorted(report.items()):
            self.stdout.write(f"{what}: {count}")
