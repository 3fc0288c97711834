"""Settings shared by every environment. Everything that differs between machines comes from the environment
(DESIGN §11): DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS, WAYPOINT_TIME_ZONE."""

from __future__ import annotations

import zoneinfo
from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_date, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# --- Core -----------------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)
# Development settings give a fallback key; production.py requires a real one.
SECRET_KEY = env_str("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc as static files: the docs need no CDN
    "django_celery_beat",
    "django_htmx",
    "axes",
    "csp",
    # Waypoint's apps, in layer order (lowest first; pyproject.toml's import-linter contract holds it).
    "core",
    "accounts",
    "companies",
    "content",
    "journey",
    "ingestion",
    "milestones",
    "playbooks",
    "ctas",
    "funnel",
    "web",
    "daily",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # WhiteNoise sits right after SecurityMiddleware so static files skip the rest of the stack.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestIdMiddleware",
    "core.middleware.NulRefusalMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.PrivatePagesMiddleware",
    # Deny by default: every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

# Content Security Policy (django-csp): everything from this origin only, no inline script or style, no
# framing. Pages use classes from static/css (bars too, see width_class); the API docs, whose Swagger UI and
# ReDoc write inline styles, relax style-src on their views only (web/api/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
    }
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.role",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
# Unset DATABASE_URL: an SQLite file under var/, so a newcomer needs no server.
_SQLITE_PATH = BASE_DIR / "var" / "waypoint.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{_SQLITE_PATH}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _SQLITE_PATH.parent.mkdir(exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while a job writes; IMMEDIATE takes the write lock up front so two
        # writers queue on busy_timeout instead of failing with "database is locked" mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Web processes (config/wsgi.py, asgi.py) stop a statement or a lock wait long before gunicorn's worker
    # timeout, so a stalled database answers 503 with Retry-After (core/unavailable.py) instead of hanging
    # the worker. Jobs (Celery, management commands) set neither: their statements may take longer.
    _timeouts = {
        "statement_timeout": env_int("WAYPOINT_DB_STATEMENT_TIMEOUT", 0),
        "lock_timeout": env_int("WAYPOINT_DB_LOCK_TIMEOUT", 0),
    }
    if any(_timeouts.values()):
        DATABASES["default"]["OPTIONS"] = {
            "options": " ".join(
                f"-c {name}={seconds * 1000}" for name, seconds in _timeouts.items() if seconds
            )
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# django-axes counts failed sign-ins (the app's form and admin's) and locks per user name and, separately,
# per address: 5 failures lock for 15 minutes. Only sign-in forms go through authenticate(): API tokens and
# write keys are checked elsewhere and are never locked. Admin lists attempts and lockouts and lifts them.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("WAYPOINT_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("WAYPOINT_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "core.clients.client_ip"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Time -----------------------------------------------------------------------------------------------
# The workspace time zone decides where a day starts and ends for the daily jobs and `--as-of` dates.
# Everything is stored in UTC.
TIME_ZONE = env_str("WAYPOINT_TIME_ZONE", "UTC")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"WAYPOINT_TIME_ZONE={TIME_ZONE!r} is not an IANA time zone name.") from None
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = False

# --- Static files ---------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Celery ---------------------------------------------------------------------------------------------
# Unset CELERY_BROKER_URL: tasks run in-process (eager), so the embedded default needs no Redis.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = env_str(
    "CELERY_RESULT_BACKEND", "" if CELERY_TASK_ALWAYS_EAGER else CELERY_BROKER_URL
)
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Long, idempotent jobs: ack after the work so a killed worker's task is redelivered, one at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_TIME_LIMIT = 30 * 60
# Redis redelivers unacked messages after the visibility timeout: keep it above the hard time limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- REST framework -------------------------------------------------------------------------------------
# Token first: its authenticate_header makes a request without credentials a 401 (not a 403). Sessions
# serve people trying the API in /api/docs/. JSON only in and out; errors in one format (core/api.py).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.HasRole"],
    "DEFAULT_PARSER_CLASSES": ["core.api.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "core.api_schema.ApiAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Waypoint API",
    "DESCRIPTION": "Companies, events, metrics, journeys, funnel and CTAs. Authenticate with "
    "`Authorization: Token <key>` (`manage.py create_api_token --user U`). Errors are "
    '`{"code", "message", "errors"?}`.',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The schema and the docs need a signed-in user (a token, or a session in the browser).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1/",  # tags by resource: companies, events…
    "COMPONENT_SPLIT_REQUEST": True,  # separate request and response components, for generated clients
    # The Segment-compatible /v1/* endpoints are plain Django views: they join the schema through a hook.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ingestion.schema.segment_paths",
    ],
}

# --- Email ----------------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Waypoint <waypoint@localhost>")

# --- Logging --------------------------------------------------------------------------------------------
# One line per record; JSON (for log shippers) when WAYPOINT_LOG_FORMAT=json, the default in production.
LOG_FORMAT = env_str("WAYPOINT_LOG_FORMAT", "text")
LOG_LEVEL = env_str("WAYPOINT_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT if LOG_FORMAT in ("text", "json") else "text",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "celery": {"level": "INFO"},
    },
}

# --- Waypoint -------------------------------------------------------------------------------------------
# Companies per chunk of the daily run: each chunk is one Celery task (or one step in-process). 10,000 keeps
# a chunk to a couple of seconds and 10 tasks at 100k companies, so Celery adds about a second in all.
WAYPOINT_ASSESS_CHUNK = env_int("WAYPOINT_ASSESS_CHUNK", 10_000)

# Trusted proxies in front of the app (deploy/nginx.conf is one): the client's address is taken from
# X-Forwarded-For that far from the right (core/clients.py), for sign-in lockouts. 0: REMOTE_ADDR.
WAYPOINT_PROXY_COUNT = env_int("WAYPOINT_PROXY_COUNT", 0)

# Links in emails point here.
WAYPOINT_BASE_URL = env_str("WAYPOINT_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Webhooks to http:// and to private or loopback addresses are refused (SSRF), except in development.
WAYPOINT_WEBHOOK_ALLOW_PRIVATE = env_bool("WAYPOINT_WEBHOOK_ALLOW_PRIVATE", False)

# Periodic tasks, installed in django-celery-beat by `manage.py sync_schedules` (by name, idempotently).
# Times are in the workspace time zone. The daily run at 00:30 assesses the day that just ended.
WAYPOINT_SCHEDULES = {
    "waypoint: daily run": {
        "task": "daily.run_daily",
        "crontab": {"minute": "30", "hour": "0"},  # https://crontab.guru/#30_0_*_*_*
        "expires_hours": 20,  # a run that could not start by evening is skipped; the next day catches up
        "description": "Milestone assessment, position, stuck, health and funnel snapshot; journey scores "
        "and their decay; for yesterday.",
    },
    "waypoint: scoring": {
        "task": "journey.score_journeys",
        "every_seconds": 300,  # ingestion kicks a run after new events; this catches what a kick left
        "expires_hours": 0.08,
        "description": "Score events received since the last run (and apply decay that fell due).",
    },
    "waypoint: pending events": {
        "task": "ingestion.release_pending",
        "every_seconds": 600,  # each request re-checks after its commit; this catches what a re-check missed
        "expires_hours": 0.15,
        "description": "Move pending events whose company is known now into the events.",
    },
    "waypoint: outbox": {
        "task": "core.deliver_outbox",
        "every_seconds": 60,  # retries and lost kicks; new messages are kicked at once after commit
        "expires_hours": 0.05,
        "description": "Send due notification emails and webhooks.",
    },
}

# The earliest day Waypoint keeps: events before its start (UTC), metric values, customer dates and as-of days
# before it are refused at every way in, so no stored moment is out of reach of a time zone conversion.
WAYPOINT_EARLIEST_DAY = env_date("WAYPOINT_EARLIEST_DAY", date(2000, 1, 1))

# Scoring and assessment read events up to an id no later commit can go under: those received in the last
# few seconds wait for the next run (an ingestion transaction lasts well under this).
WAYPOINT_EVENT_SETTLE_SECONDS = env_int("WAYPOINT_EVENT_SETTLE_SECONDS", 5)

# Without a broker, work that Celery would do later (scoring new events) runs in a background thread of the
# web process instead, never inside the request (core/background.py). Tests turn it off.
WAYPOINT_BACKGROUND_THREADS = env_bool("WAYPOINT_BACKGROUND_THREADS", CELERY_TASK_ALWAYS_EAGER)

# Ingestion asks for a scoring run after storing new events, at most once per this many seconds per process.
WAYPOINT_SCORING_KICK_SECONDS = env_int("WAYPOINT_SCORING_KICK_SECONDS", 60)

# A stage change is news for this many days: a live scoring run notifies the changes it finds that happened
# at most this long before the moment it scores to (however late their events arrived); older ones, such as
# those of imported history, are recorded quietly.
WAYPOINT_NOTIFY_WITHIN_DAYS = env_int("WAYPOINT_NOTIFY_WITHIN_DAYS", 7)

# Rows per COPY/INSERT batch for bulk loads (seed_demo, ingestion): large enough to amortise round trips,
# small enough to keep a batch well under 100 MB of Python objects.
WAYPOINT_BULK_BATCH = env_int("WAYPOINT_BULK_BATCH", 20_000)
