"""Gunicorn for production: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`, behind deploy/nginx.conf.

Sync workers hold one request each, so they sit behind nginx, which buffers slow clients' requests and
responses: a worker only ever talks to nginx on this machine. Options given on the command line override
these (e.g. `--bind`)."""

import os

# nginx proxies to this address; nothing else should reach gunicorn directly.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# WEB_CONCURRENCY is the usual knob of platforms; about 2 × cores + 1 for sync workers.
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"

# A request gets 60 s, well above the app's own 20 s database statement limit (config/wsgi.py), so a stalled
# database answers 503 before gunicorn kills the worker. Workers finish their request on shutdown for 30 s.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5  # above 0: nginx reuses its upstream connections (deploy/nginx.conf, keepalive)
# Recycle workers now and then, staggered, so slow memory growth never adds up.
max_requests = 5000
max_requests_jitter = 500

# Logs to standard output and error, like the app's. The access log leaves out what may hold a secret:
# no user (%(u)s is the Basic-auth user name: Segment write keys and API keys travel there), no query
# string (%(U)s is the path alone, %(r)s would carry it), no referer (it can be any page's URL with its
# query). The request id ties a line to the app's own log record of the request.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss rid=%({x-request-id}o)s'

# Gunicorn's control socket (gunicornc) is unused here, and its default path in $HOME would be shared by every
# instance run as the same user.
control_socket_disable = True
