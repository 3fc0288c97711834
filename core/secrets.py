"""Credentials stored hashed (write keys, API tokens): the secret is shown once, the database keeps its
SHA-256. A plain hash, not a password hash: these are 32 random bytes, which no dictionary guesses, and a
lookup by digest keeps authentication to one indexed query. The prefix is stored too, so people can tell
their keys apart in lists without the secret."""

from __future__ import annotations

import hashlib
import secrets

PREFIX_LENGTH = 8


def secret_new(kind: str) -> tuple[str, str, str]:
    """A new secret like `wk_3f9…`, its display prefix and its digest."""
    secret = f"{kind}_{secrets.token_urlsafe(32)}"
    return secret, secret[: len(kind) + 1 + PREFIX_LENGTH], secret_digest(secret)


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
