"""deploy/nginx.conf is valid for Debian's nginx, and with its proxy settings in front of gunicorn's sync
workers, clients that declare a body and never send it do not block /healthz (benchmarks/slow_clients.py
measures it; this runs it once)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from benchmarks import slow_clients

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not shutil.which(slow_clients.NGINX) and os.environ.get("CI") != "true",
    reason="Debian's nginx is not installed (apt-get install nginx)",
)


def test_the_site_configuration_is_valid(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=waypoint",
            ),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = site.replace("/etc/letsencrypt/live/waypoint.example.com/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/waypoint.example.com/privkey.pem", str(key))
    site = site.replace("/etc/nginx/waypoint-proxy.conf", str(ROOT / "deploy" / "nginx-proxy.conf"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "logs").mkdir()
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/logs/error.log; events {{}}\n"
        f"http {{ include {tmp_path}/site.conf; }}\n"
    )
    result = subprocess.run(
        [slow_clients.NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


@pytest.mark.slow
def test_slow_bodies_do_not_block_healthz_behind_nginx(tmp_path):
    upstream, port = slow_clients.free_port(), slow_clients.free_port()
    gunicorn = slow_clients.start_gunicorn(upstream, tmp_path)
    nginx = None
    try:
        slow_clients.wait_for(upstream)
        nginx = slow_clients.start_nginx(port, upstream, tmp_path)
        slow_clients.wait_for(port)
        seconds = slow_clients.measure(port, 4)  # twice the workers
    finally:
        for process in (nginx, gunicorn):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
    assert seconds is not None and seconds < 1
