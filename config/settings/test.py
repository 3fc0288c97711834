"""Test settings: SQLite unless DATABASE_URL says otherwise (CI uses PostgreSQL), eager tasks, fast hashes."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import DATABASES, LOGGING

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
LOGGING["root"]["level"] = "WARNING"

# Live-server threads close their connections after each request, so the test database can be dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # An in-memory test database; the file in var/ stays the developer's demo.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

# Serve static files from the apps' folders (no collectstatic before tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

WAYPOINT_WEBHOOK_ALLOW_PRIVATE = True  # tests post to a local server
WAYPOINT_EVENT_SETTLE_SECONDS = 0  # tests insert events and score them at once, one writer at a time
WAYPOINT_BACKGROUND_THREADS = False  # tasks run eagerly, where the test can see them
