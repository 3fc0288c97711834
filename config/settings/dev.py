"""Local development and `make demo`: debug on, an insecure fallback key, mail printed to the console."""

from __future__ import annotations

from config.env import env_bool

from .base import *  # noqa: F403
from .base import SECRET_KEY

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"

WAYPOINT_WEBHOOK_ALLOW_PRIVATE = True  # local receivers for trying webhooks
