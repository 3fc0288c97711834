"""One run of a job at a time, with a lease in the database.

A run claims the lease with a conditional UPDATE (only a free or lapsed lease is taken; the row count says
who won), renews it while it works, and frees it at the end. Two runs started together: one gets the lease,
the other is told it is held. A run killed without freeing it stops renewing, and the lease lapses after
its time to live; the next run then takes over."""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.models import JobLock


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    ttl: timedelta


class LeaseHeld(Exception):
    def __init__(self, name: str, holder: str, expires_at) -> None:
        super().__init__(
            f"{name} is already running ({holder}, lease until {expires_at:%Y-%m-%d %H:%M:%S %Z})."
        )
        self.holder = holder


def lease_acquire(name: str, *, ttl: timedelta) -> Lease:
    """Take the lease or raise LeaseHeld. Must not run inside a transaction that stays open afterwards:
    the claim has to be visible to others at once."""
    holder = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
    now = timezone.now()
    try:
        with transaction.atomic():
            JobLock.objects.get_or_create(name=name)
    except IntegrityError:
        pass  # another run created the row at the same moment; the UPDATE below decides
    claimed = (
        JobLock.objects.filter(name=name)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__lte=now))
        .update(holder=holder, acquired_at=now, expires_at=now + ttl)
    )
    if claimed != 1:
        lock = JobLock.objects.get(name=name)
        raise LeaseHeld(name, lock.holder, lock.expires_at)
    return Lease(name, holder, ttl)


def lease_renew(lease: Lease) -> bool:
    """Extend the lease; False when it was lost (lapsed and taken by another run)."""
    renewed = JobLock.objects.filter(name=lease.name, holder=lease.holder).update(
        expires_at=timezone.now() + lease.ttl
    )
    return renewed == 1


class LeaseLost(Exception):
    """The lease lapsed and another run took it: this run must stop before it writes more."""


def lease_keep(lease: Lease, *, who: str) -> None:
    """Renew the lease before a unit of work, or raise LeaseLost."""
    if not lease_renew(lease):
        raise LeaseLost(f"{who} lost its lease to another run")


def lease_release(lease: Lease) -> None:
    JobLock.objects.filter(name=lease.name, holder=lease.holder).update(holder="", expires_at=None)
