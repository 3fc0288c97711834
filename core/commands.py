"""What the management commands share: the `--as-of` day argument, and the exit status of a job whose lease
another run holds."""

from __future__ import annotations

import argparse
from datetime import date

from django.core.management.base import CommandError

from core.days import earliest_day, too_early_message

# sysexits.h's EX_TEMPFAIL: "try again later". A job that did not run because another run holds its lease
# exits with it, so cron and monitoring see that nothing ran; 0 means it ran.
EXIT_LEASE_HELD = 75


def lease_held_error(reasons: list[str]) -> CommandError:
    """The error a job command raises when it did not run (or not all of it) because its lease is held."""
    return CommandError("Not running: " + "; ".join(reasons), returncode=EXIT_LEASE_HELD)


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day; use YYYY-MM-DD.") from None
    if day < earliest_day():
        raise argparse.ArgumentTypeError(too_early_message())
    return day


def as_of_argument(parser: argparse.ArgumentParser, *, what: str = "The day") -> None:
    """--as-of YYYY-MM-DD, a day in the workspace time zone; None when not given (the job's default:
    yesterday, the last complete day)."""
    parser.add_argument(
        "--as-of",
        type=_day,
        default=None,
        metavar="YYYY-MM-DD",
        help=f"{what}, in the workspace time zone (default: yesterday, the last complete day).",
    )
