"""Bookkeeping for background jobs: who may run, and what ran."""

from __future__ import annotations

import base64
import binascii
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Now

from core.webhook_urls import url_refusal


class JobLock(models.Model):
    """A lease that lets one run of a job work at a time, across processes and machines (and on SQLite,
    which has no advisory locks). Claimed by a conditional UPDATE; a run that dies stops renewing it and
    the lease lapses at `expires_at`."""

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=100, blank=True)
    acquired_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.holder or 'free'})"


class JobRun(models.Model):
    """One run of a daily job: its day, progress and outcome; the last success feeds monitoring."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        # Still "running" when the next run of its job took the lease: its process died (killed, OOM).
        ABANDONED = "abandoned", "Abandoned"

    job = models.CharField(max_length=100)
    as_of = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(db_default=Now())
    finished_at = models.DateTimeField(null=True, blank=True)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            # "The last successful run of job X", for late-data detection and monitoring.
            models.Index(fields=["job", "status", "-started_at"], name="jobrun_job_status_started"),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.as_of} {self.status}"


def webhook_secret_new() -> str:
    """A Standard Webhooks secret: whsec_ and the base64 of 24 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class WebhookEndpoint(models.Model):
    """A URL that receives signed webhooks (Standard Webhooks) for stage changes."""

    url = models.URLField(max_length=500, help_text="https; the receiver answers 2xx within 15 seconds.")
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(
        max_length=100,
        default=webhook_secret_new,
        help_text="whsec_ and the base64 of 24 to 64 random bytes: give it to the receiver, which checks "
        "each message's signature with it.",
    )
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["url"]

    def __str__(self) -> str:
        return self.url

    def clean(self) -> None:
        refusal = url_refusal(self.url) if self.url else ""
        if refusal:
            raise ValidationError({"url": f"Waypoint will not call this URL: {refusal}."})
        prefix, _, encoded = self.secret.partition("_")
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if prefix != "whsec" or not 24 <= len(key) <= 64:
            raise ValidationError({"secret": "whsec_ followed by the base64 of 24 to 64 random bytes."})


class OutboxMessage(models.Model):
    """A message to send (email or webhook), written in the same transaction as the change it reports, so a
    change that rolled back sends nothing and a committed one is sent at least once."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        DEAD = "dead", "Gave up"

    message_id = models.UUIDField(
        unique=True, help_text="Stable across attempts (webhook-id), so receivers dedupe."
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    kind = models.CharField(max_length=60, help_text="e.g. company.stage_changed")
    endpoint = models.ForeignKey(WebhookEndpoint, null=True, blank=True, on_delete=models.CASCADE)
    recipient = models.EmailField(blank=True)
    subject = models.CharField(max_length=200, blank=True)
    payload = models.JSONField(help_text="Webhook body, or the email's text under 'body'.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_default=Now())
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(db_default=Now())
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The relay: messages due for an attempt.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(channel="webhook") | models.Q(endpoint__isnull=False),
                name="outbox_webhook_has_endpoint",
            ),
            models.CheckConstraint(
                condition=~models.Q(channel="email") | ~models.Q(recipient=""),
                name="outbox_email_has_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} ({self.status})"
