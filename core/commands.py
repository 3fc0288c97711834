"""What the management commands share: the `--as-of` day argument."""

from __future__ import annotations

import argparse
from datetime import date

from core.days import earliest_day, too_early_message


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
