"""deploy/gunicorn.conf.py, run as the README runs it: its access log keeps no write key. Segment SDKs send
the key as the Basic-auth user name, which gunicorn's default log format prints (%(u)s)."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from ingestion.services.write_keys import write_key_create

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _serve_and_send(args: list[str], secret: str) -> tuple[int, str]:
    """Start gunicorn (production settings, the test database), POST one batch with the key as the Basic
    user name, stop it, and return the status and everything gunicorn printed."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": "k" * 20 + "-gunicorn-test-secret-key-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1",
        "WEB_CONCURRENCY": "1",
        "CELERY_BROKER_URL": "",
        "WAYPOINT_BACKGROUND_THREADS": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *args, "--bind", f"127.0.0.1:{port}", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = json.dumps(
            {"batch": [{"type": "track", "event": "report_downloaded", "userId": "u1", "messageId": "m-1"}]}
        ).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/batch?probe=1",
            data=body,
            headers={
                "Content-Type": "application/json",
                "Authorization": "Basic " + base64.b64encode(f"{secret}:".encode()).decode(),
                "X-Forwarded-Proto": "https",  # as nginx says; production redirects plain http
            },
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    status = response.status
                break
            except urllib.error.HTTPError as error:
                status = error.code
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    return status, output


@pytest.fixture
def write_key_secret(transactional_db) -> str:
    if connection.vendor != "postgresql":
        pytest.skip("gunicorn serves the test database from another process: PostgreSQL only")
    _, secret = write_key_create(name="Product backend", source="product")
    return secret


@pytest.mark.slow
def test_the_access_log_keeps_no_write_key(write_key_secret):
    status, output = _serve_and_send(["-c", "deploy/gunicorn.conf.py"], write_key_secret)
    assert status == 200, output
    line = next(line for line in output.splitlines() if '"POST /v1/batch HTTP/1.1" 200' in line)
    assert "probe=1" not in line  # the query string stays out too
    for trace in (write_key_secret, base64.b64encode(f"{write_key_secret}:".encode()).decode()):
        assert trace not in output


@pytest.mark.slow
def test_gunicorn_s_default_format_would_log_it(write_key_secret):
    """The control: the README's former command (`--access-logfile -`, gunicorn's default format)."""
    status, output = _serve_and_send(["--access-logfile", "-"], write_key_secret)
    assert status == 200
    assert write_key_secret in output
