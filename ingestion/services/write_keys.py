"""Write keys: what senders of the Segment-compatible endpoints authenticate with (DESIGN §8: a key can
only write events)."""

from __future__ import annotations

import time
from datetime import timedelta

from django.utils import timezone

from core.secrets import secret_digest, secret_new
from ingestion.models import WriteKey

_LAST_USED_EVERY = timedelta(minutes=1)


def write_key_create(*, name: str, source: str) -> tuple[WriteKey, str]:
    """A new key and its secret (shown once; only its digest is stored)."""
    secret, prefix, digest = secret_new("wk")
    key = WriteKey.objects.create(name=name, source=source, prefix=prefix, digest=digest)
    return key, secret


def write_key_revoke(*, key: WriteKey) -> None:
    WriteKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    write_keys_forget()  # at once in this process; other processes within KEY_CACHE_SECONDS


# Active keys this process has seen, by digest, for a few seconds: an SDK sends a batch every few seconds
# with the same key, and the lookup was a sixth of a request's time under load. Only valid keys are kept,
# so garbage keys cannot grow it. A revoked key stops working within KEY_CACHE_SECONDS everywhere.
KEY_CACHE_SECONDS = 5
_keys: dict[str, tuple[float, WriteKey]] = {}


def write_key_authenticate(secret: str) -> WriteKey | None:
    """The active key with this secret, or None. Looked up by digest (no comparison of secrets, so no
    timing to learn from); last_used_at is written at most once a minute, not once per request."""
    if not secret or len(secret) > 200:
        return None
    digest = secret_digest(secret)
    cached = _keys.get(digest)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    key = WriteKey.objects.active().filter(digest=digest).first()
    if key is None:
        _keys.pop(digest, None)
        return None
    _keys[digest] = (time.monotonic() + KEY_CACHE_SECONDS, key)
    now = timezone.now()
    if key.last_used_at is None or key.last_used_at < now - _LAST_USED_EVERY:
        WriteKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def write_keys_forget() -> None:
    _keys.clear()
