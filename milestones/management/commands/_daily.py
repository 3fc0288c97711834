"""Shared by assess_milestones and run_daily: parse --as-of, run, report."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from core.locks import LeaseHeld
from milestones.services import daily


def as_of_argument(parser) -> None:
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="The day to assess, in the workspace time zone (default: yesterday, the last complete day).",
    )


def run_and_report(command: BaseCommand, *, job: str, as_of: date | None, rebuild: bool) -> None:
    day = as_of or daily.default_as_of()
    try:
        summary = daily.run_inline(job=job, as_of=day, rebuild=rebuild)
    except LeaseHeld as held:
        # Not an error: the other run does the work.
        command.stdout.write(f"Not running: {held}")
        return
    except daily.LeaseLost as lost:
        raise CommandError(str(lost)) from lost
    command.stdout.write(json.dumps(summary))


def score_and_report(command: BaseCommand, *, as_of: date | None) -> None:
    from core.days import day_end
    from journey.services.scoring import journey_score

    try:
        summary = journey_score(until=day_end(as_of or daily.default_as_of()))
    except LeaseHeld as held:
        command.stdout.write(f"Scoring not running: {held}")
        return
    command.stdout.write(json.dumps(summary.as_dict()))
