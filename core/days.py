"""Days in the workspace's time zone (WAYPOINT_TIME_ZONE): where an event's day starts and ends.

An event belongs to the local calendar day of its `occurred_at`. `--as-of D` means the end of day D, so a
day D covers the instants [start of D, start of D+1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Expression
from django.db.models.functions import TruncDate
from django.utils import timezone


def earliest_day() -> date:
    """The earliest day Waypoint keeps (WAYPOINT_EARLIEST_DAY, default 2000-01-01)."""
    return settings.WAYPOINT_EARLIEST_DAY


def earliest_moment() -> datetime:
    """The earliest moment an event may have occurred at: the start of the earliest day, in UTC."""
    return datetime.combine(earliest_day(), time.min, tzinfo=UTC)


def too_early_message() -> str:
    return f"Waypoint keeps data from {earliest_day():%Y-%m-%d} on."


def validate_day_kept(value: date) -> None:
    """Model validator: a day on or after the earliest day."""
    if value is not None and value < earliest_day():
        raise ValidationError(too_early_message(), code="too_early")


def workspace_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def today() -> date:
    return timezone.localdate(timezone=workspace_tz())


def yesterday() -> date:
    """The last complete day: what the daily jobs assess when no day is given."""
    return today() - timedelta(days=1)


def day_start(day: date) -> datetime:
    """The first instant of `day` (a local midnight that a DST jump skips resolves to the first instant
    that exists)."""
    return datetime.combine(day, time.min, tzinfo=workspace_tz())


def day_end(day: date) -> datetime:
    """The first instant after `day`: events of day D are those with occurred_at < day_end(D)."""
    return day_start(day + timedelta(days=1))


def local_day(field: str) -> Expression:
    """SQL for the workspace-local day of a datetime column (PostgreSQL: AT TIME ZONE; SQLite: Django's
    time-zone function)."""
    return TruncDate(field, tzinfo=workspace_tz())
