"""Releases (the product team's measure) and the daily analytics snapshots the pages read.

Snapshots are kept per day for every customer together (scope "all") and for each segment, plan and cohort
(month of customer_since) and each combination of them, so any day and any of those filters is a read of a
dozen rows however many companies there are (the combinations are bounded by the segments, plans and
months, not by the companies). They are derived data: `backfill_snapshots` rewrites any range of days from the
achievements and the company history, and the daily run writes the day it assessed."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from journey.models import Stage


class Scope(models.TextChoices):
    """The single scopes; combinations join them with "+" (funnel/members.py, `scope_of`)."""

    ALL = "all", "All customers"
    SEGMENT = "segment", "Segment"
    PLAN = "plan", "Plan"
    COHORT = "cohort", "Cohort"


class Release(models.Model):
    """A product release: recorded by an admin, or found as the first day events carried a new `version`."""

    class Source(models.TextChoices):
        ADMIN = "admin", "Recorded by hand"
        EVENTS = "events", "First seen in events"

    date = models.DateField(help_text="The day it reached customers (workspace time zone).")
    name = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    version = models.CharField(
        max_length=100, blank=True, help_text="The `version` property events carry from this release on."
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.ADMIN)
    created_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        ordering = ["-date", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["version"], condition=~Q(version=""), name="release_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date})"


class ScopedDay(models.Model):
    as_of = models.DateField()
    scope = models.CharField(max_length=24, help_text='"all", "segment", "segment+plan", …')
    value = models.CharField(
        max_length=200, blank=True, help_text="The segment, plan and/or cohort (YYYY-MM), in that order."
    )

    class Meta:
        abstract = True


class FunnelDay(ScopedDay):
    """Position k on one day (k = 0: became a customer); see funnel/rules.py for each count."""

    position = models.PositiveSmallIntegerField()
    reached = models.PositiveIntegerField()
    entered = models.PositiveIntegerField()
    churned = models.PositiveIntegerField()
    stuck = models.PositiveIntegerField()
    median_days = models.PositiveIntegerField(null=True)
    p80_days = models.PositiveIntegerField(null=True)
    health_total = models.PositiveIntegerField(default=0, help_text="From the day's assessment, if it ran.")
    health_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "value", "as_of", "position"], name="funnel_day_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.as_of} {self.scope}={self.value} position {self.position}"


class StageDay(ScopedDay):
    """Buyer-journey stage counts on one day: companies in the stage, moves into it from below (up) and
    from above (down) in the 7 and 30 days up to the day, and the median days since they entered it."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+", db_index=False)
    companies = models.PositiveIntegerField()
    up_7 = models.PositiveIntegerField()
    down_7 = models.PositiveIntegerField()
    up_30 = models.PositiveIntegerField()
    down_30 = models.PositiveIntegerField()
    timed = models.PositiveIntegerField(help_text="Companies whose move into the stage is recorded.")
    median_days = models.PositiveIntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "value", "as_of", "stage"], name="stage_day_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.as_of} {self.scope}={self.value} {self.stage_id}"


class ForecastDay(ScopedDay):
    """The forecasts made on a day: throughput per milestone, survival curves of time at each position (for
    the per-account forecast), and the backtest of the same method from a past day. JSON: they are read
    whole, and their shape follows funnel/forecast.py."""

    data = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "value", "as_of"], name="forecast_day_cell"),
        ]

    def __str__(self) -> str:
        return f"forecast {self.as_of} {self.scope}={self.value}"
