import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
# Requests give up on a stalled database in seconds (a 503), well before the worker timeout.
os.environ.setdefault("WAYPOINT_DB_STATEMENT_TIMEOUT", "20")
os.environ.setdefault("WAYPOINT_DB_LOCK_TIMEOUT", "5")

application = get_asgi_application()
