"""Calls to action (DESIGN §4.4): what a CSM should do for a company, opened by a CTA rule or by hand,
with the rule's playbook as its task list, and every change kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from companies.models import Company
from milestones.models import CTARule, CTAType, Milestone


class CTA(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        SNOOZED = "snoozed", "Snoozed"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        DONE = "done", "Done"
        NOT_NEEDED = "not_needed", "Not needed"
        MILESTONE_ACHIEVED = "milestone_achieved", "Milestone achieved"
        CHURNED = "churned", "Churned"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="ctas", db_index=False)
    # No index on rule and type alone: deleting a rule is rare, and the (company, type) indexes serve the rest;
    # every index costs the daily run on each CTA it opens.
    rule = models.ForeignKey(
        CTARule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ctas",
        help_text="Blank: by hand.",
        db_index=False,
    )
    cta_type = models.ForeignKey(
        CTAType, on_delete=models.PROTECT, related_name="ctas", verbose_name="type", db_index=False
    )
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ctas",
        help_text="Blank: in the unassigned pool.",
    )
    due_on = models.DateField()
    snoozed_until = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True, help_text="Why it was opened or snoozed.")
    note = models.TextField(blank=True, help_text="The closing note.")
    created_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    # The visible priority (ctas/rules.py) and its parts, refreshed by each daily run.
    priority_score = models.PositiveSmallIntegerField(default=0)
    score_days = models.PositiveSmallIntegerField(default=0)
    score_mrr = models.PositiveSmallIntegerField(default=0)
    score_health = models.PositiveSmallIntegerField(default=0)
    score_due = models.PositiveSmallIntegerField(default=0)
    days_at_position = models.PositiveIntegerField(null=True, blank=True)
    mrr_rank = models.PositiveSmallIntegerField(default=0, help_text="Percent of customers with a lower MRR.")
    health = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "CTA"
        ordering = ["-priority_score", "due_on", "id"]
        constraints = [
            # At most one CTA per company and type that is not closed: a rule that fires again updates it.
            models.UniqueConstraint(
                fields=["company", "cta_type"],
                condition=~Q(status="closed"),
                name="cta_one_open_per_company_type",
            ),
            models.CheckConstraint(
                condition=(Q(status="closed") & ~Q(outcome="") & Q(closed_on__isnull=False))
                | (~Q(status="closed") & Q(outcome="") & Q(closed_on__isnull=True)),
                name="cta_closed_has_outcome",
                violation_error_message="A closed CTA has an outcome and a closing day; an open one neither.",
            ),
            models.CheckConstraint(
                condition=~Q(status="snoozed") | Q(snoozed_until__isnull=False),
                name="cta_snoozed_has_date",
                violation_error_message="A snoozed CTA needs the day it wakes up.",
            ),
        ]
        indexes = [
            # A CSM's queue (and the pool, owner NULL): not-closed CTAs by priority.
            models.Index(
                fields=["owner", "-priority_score", "due_on"],
                name="cta_queue",
                condition=~Q(status="closed"),
            ),
            # Every CSM's queue at once (managers): the whole list in priority order, a page at a time.
            models.Index(
                fields=["-priority_score", "due_on", "id"],
                name="cta_queue_all",
                condition=~Q(status="closed"),
            ),
            # A company's CTAs (its page, the API's company filter); the cooldown after a close and recurring
            # rules: the last CTA of a type per company.
            models.Index(fields=["company", "cta_type", "created_on"], name="cta_company_type"),
        ]

    def __str__(self) -> str:
        return f"{self.cta_type} for {self.company}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    # Task progress, from the prefetched tasks (the pages prefetch them: no query per CTA).
    @property
    def tasks_done(self) -> int:
        return sum(1 for task in self.tasks.all() if task.done_at is not None)

    @property
    def tasks_total(self) -> int:
        return len(self.tasks.all())

    @property
    def progress_class(self) -> str:
        """A CSS width class, pct-0 … pct-100 in steps of 10."""
        total = self.tasks_total
        return f"pct-{(10 * self.tasks_done // total) * 10 if total else 0}"


class CTATask(models.Model):
    """One task of a CTA (from its rule's playbook, or added by hand), checked off by who and when."""

    cta = models.ForeignKey(CTA, on_delete=models.CASCADE, related_name="tasks", db_index=False)
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    due_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "CTA task"
        ordering = ["cta", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cta", "order"], name="cta_task_order_unique"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def done(self) -> bool:
        return self.done_at is not None


class CTAChange(models.Model):
    """One change of a CTA: who (blank: the daily run), when, which field, from what to what."""

    cta = models.ForeignKey(CTA, on_delete=models.CASCADE, related_name="changes", db_index=False)
    at = models.DateTimeField(db_default=Now())
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    field = models.CharField(max_length=40)
    from_value = models.CharField(max_length=300, blank=True)
    to_value = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "CTA change"
        ordering = ["cta", "at", "id"]
        indexes = [models.Index(fields=["cta", "at"], name="cta_change_history")]

    def __str__(self) -> str:
        return f"{self.field}: {self.from_value} → {self.to_value}"
