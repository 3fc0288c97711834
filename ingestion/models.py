"""What the Segment-compatible endpoints need besides events: the write keys senders authenticate with, the
messages refused with their reasons, and the events no company could be found for yet."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now


class WriteKeyQuerySet(models.QuerySet):
    def active(self) -> WriteKeyQuerySet:
        return self.filter(revoked_at__isnull=True)


class WriteKey(models.Model):
    """A sender's credential for /v1/*: it can only write events. Stored as a SHA-256 digest; the secret
    is shown once, when the key is made. Events it sends are stored under its `source`, which scopes
    deduplication by messageId (keys of one source share it, so a rotated key keeps deduplicating)."""

    name = models.CharField(max_length=120, help_text="Who uses it, e.g. 'Product backend (production)'.")
    source = models.SlugField(
        max_length=64, help_text="Stored with each event; messageIds are unique per source."
    )
    prefix = models.CharField(max_length=16, editable=False, help_text="The secret's first characters.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = WriteKeyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class RejectedMessage(models.Model):
    """A message of an accepted request that was not stored, and why (the rest of its batch was)."""

    source = models.CharField(max_length=64)
    received_at = models.DateTimeField(db_default=Now(), db_index=True)
    message_id = models.CharField(max_length=100, blank=True)
    type = models.CharField(max_length=16, blank=True)
    code = models.CharField(max_length=32, help_text="Machine-readable reason, e.g. no_user_anon_id.")
    reason = models.CharField(max_length=255)
    payload = models.TextField(blank=True, help_text="The start of the message as received.")

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.code}: {self.message_id or '(no messageId)'}"


class PendingEvent(models.Model):
    """A track/page event whose company is not known yet (no groupId, no company_id, and a user no
    contact links to a company). Kept, not lost: a later identify or group call that links its user or
    group to a company moves it into the events."""

    source = models.CharField(max_length=64)
    message_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(db_default=Now())
    user_id = models.CharField(max_length=255, blank=True)
    anonymous_id = models.CharField(max_length=255, blank=True)
    group_id = models.CharField(max_length=255, blank=True, help_text="A groupId no company has yet.")
    session_id = models.CharField(max_length=100, blank=True)
    properties = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "message_id"], name="pending_source_message_unique"),
        ]
        indexes = [
            # An identify or group call looks up the pending events of its user or group.
            models.Index(fields=["user_id"], name="pending_user", condition=~models.Q(user_id="")),
            models.Index(fields=["group_id"], name="pending_group", condition=~models.Q(group_id="")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id or self.anonymous_id})"
