"""Where each customer stands: achievements with their true dates, the progress row the daily job keeps
(position, stuck, health), and the daily funnel snapshots analytics draw trends from."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from companies.models import Company
from milestones.models.methodology import Milestone


class Achievement(models.Model):
    """A milestone a company achieved, and the earliest day its checklist held (not the day a job ran)."""

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="achievements", db_index=False
    )  # the unique constraint leads with company_id
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="achievements", db_index=False
    )
    achieved_on = models.DateField()
    recorded_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["company_id", "achieved_on"]
        constraints = [
            models.UniqueConstraint(fields=["company", "milestone"], name="achievement_once_per_company"),
        ]
        indexes = [
            # Funnel: companies that reached a milestone, and days between milestones.
            models.Index(fields=["milestone", "achieved_on"], name="achievement_milestone_day"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone} on {self.achieved_on}"


class CompanyProgress(models.Model):
    """A customer's place on the journey as of `as_of`, written by the daily assessment so pages and the
    API read it without recomputing. Churned companies keep the position they had when they churned."""

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, primary_key=True, related_name="progress"
    )
    as_of = models.DateField(help_text="The day this row describes.")
    assessed_through = models.DateField(
        null=True,
        blank=True,
        help_text="Milestones were assessed for every day up to here; the next run starts the day after.",
    )
    active = models.BooleanField(help_text="A customer on as_of (false: churned, position frozen at churn).")
    position = models.PositiveSmallIntegerField(
        help_text="Milestones achieved in an unbroken run from the first."
    )
    current_milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    position_since = models.DateField()
    days_at_position = models.PositiveIntegerField()
    stuck_since = models.DateField(null=True, blank=True, help_text="Set while the company is stuck.")
    health = models.PositiveSmallIntegerField(null=True, blank=True)
    active_days = models.PositiveSmallIntegerField(default=0)
    key_actions_used = models.PositiveSmallIntegerField(default=0)
    key_actions_total = models.PositiveSmallIntegerField(default=0)
    health_window_days = models.PositiveSmallIntegerField(default=30)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "company progress"
        constraints = [
            models.CheckConstraint(
                condition=Q(health__isnull=True) | Q(health__lte=100), name="progress_health_0_to_100"
            ),
        ]
        indexes = [
            # The stuck-account queue: stuck companies by current milestone, longest stuck first.
            models.Index(
                fields=["current_milestone", "stuck_since"],
                name="progress_stuck",
                condition=Q(stuck_since__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id}: position {self.position} on {self.as_of}"

    @property
    def stuck(self) -> bool:
        return self.stuck_since is not None


class SnapshotCounts(models.Model):
    """The counts kept per funnel position and day; both snapshot grains add up the same way."""

    as_of = models.DateField()
    position = models.PositiveSmallIntegerField(
        help_text="Milestones achieved; customers here work on `milestone`."
    )
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    customers = models.PositiveIntegerField(default=0, help_text="Active customers at this position.")
    stuck = models.PositiveIntegerField(default=0)
    churned = models.PositiveIntegerField(default=0, help_text="Churned by as_of while at this position.")
    health_total = models.PositiveIntegerField(default=0)
    health_count = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class FunnelSnapshot(SnapshotCounts):
    """Daily counts per position for each segment, plan and cohort (month of customer_since): sum the
    rows of a filter to draw the funnel of any day. `reached(k)` is the customers at positions ≥ k."""

    segment = models.CharField(max_length=64, blank=True)
    plan = models.CharField(max_length=64, blank=True)
    cohort = models.DateField(help_text="First day of the month the customers started.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["as_of", "position", "segment", "plan", "cohort"], name="funnel_snapshot_cell"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.as_of} position {self.position}: {self.segment}/{self.plan}/{self.cohort:%Y-%m}"


class CsmFunnelSnapshot(SnapshotCounts):
    """The same daily counts per position for each CSM's accounts (companies without CSM: csm empty)."""

    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["as_of", "position", "csm"], name="csm_funnel_snapshot_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.as_of} position {self.position}: CSM {self.csm_id}"
