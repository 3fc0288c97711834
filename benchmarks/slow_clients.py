"""Slow clients against gunicorn's sync workers, with and without nginx (deploy/nginx-proxy.conf) in front.

Starts gunicorn with deploy/gunicorn.conf.py and 2 sync workers, then for each way in (straight to gunicorn,
then through Debian's nginx with the repository's proxy settings) opens N connections that declare a body
(Content-Length) and send none of it, and times GET /healthz while they hang (the median of 5 requests, or
"no answer" when the first gets none within 5 s). Straight to gunicorn each slow
client holds a worker until it gives up; through nginx they hold only nginx connections.

    python benchmarks/slow_clients.py [--slow 4] [--runs 3]    # needs /usr/sbin/nginx
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX = "/usr/sbin/nginx"
WAIT = 5.0  # seconds /healthz gets to answer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def start_gunicorn(port: int, workdir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "slow-clients-benchmark-" + "x9" * 20,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{workdir / 'unused.sqlite3'}",  # /healthz touches no database
        "CELERY_BROKER_URL": "",
        "WAYPOINT_BACKGROUND_THREADS": "false",
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--workers", "2"]
    command += ["--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "config.wsgi"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_nginx(port: int, upstream: int, prefix: Path) -> subprocess.Popen:
    """nginx in the foreground with a temporary prefix: the repository's proxy settings, plain HTTP."""
    for name in ("logs", "body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / name).mkdir(exist_ok=True)
    config = prefix / "nginx.conf"
    config.write_text(
        f"""
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream waypoint {{ server 127.0.0.1:{upstream} fail_timeout=0; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port};
        client_header_timeout 15s;
        client_max_body_size 2561k;
        location @too_large {{ return 413; }}
        location / {{
            include {ROOT / "deploy" / "nginx-proxy.conf"};
            proxy_pass http://waypoint;
        }}
    }}
}}
"""
    )
    return subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(config), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def slow_clients(port: int, count: int) -> list[socket.socket]:
    """Connections that promise a 100 KB body and never send it."""
    held = []
    for _ in range(count):
        conn = socket.create_connection(("127.0.0.1", port), timeout=5)
        conn.sendall(
            b"POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"X-Forwarded-Proto: https\r\nContent-Length: 100000\r\n\r\n"
        )
        held.append(conn)
    return held


def healthz(port: int) -> float | None:
    """Seconds to a full /healthz answer, or None when none came within WAIT."""
    started = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as conn:
            conn.settimeout(WAIT)
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := conn.recv(4096):
                answer += chunk
    except (TimeoutError, OSError):
        return None
    return time.perf_counter() - started if answer.startswith(b"HTTP/1.1 200") else None


def measure(port: int, slow: int) -> float | None:
    deadline = time.monotonic() + 60
    while healthz(port) is None:  # the workers load Django on their first request
        if time.monotonic() > deadline:
            raise RuntimeError("the server does not answer /healthz even without slow clients")
    with ThreadPoolExecutor(4) as pool:  # both workers load Django before the measurement
        list(pool.map(lambda _: healthz(port), range(8)))
    held = slow_clients(port, slow)
    time.sleep(0.5)  # let the workers (or nginx) take them
    try:
        first = healthz(port)
        if first is None:
            return None
        return statistics.median([first, *(healthz(port) or WAIT for _ in range(4))])
    finally:
        for conn in held:
            conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--slow", type=int, default=4, help="slow connections (default 4: twice the workers)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which(NGINX):
        sys.exit(f"{NGINX} not found (apt-get install nginx)")
    results: dict[str, list[float | None]] = {"gunicorn alone": [], "nginx → gunicorn": []}
    with tempfile.TemporaryDirectory(prefix="waypoint-slow-") as tmp:
        workdir = Path(tmp)
        for run in range(1, args.runs + 1):
            # A fresh gunicorn per way in: straight to it, its workers stay stuck on the slow bodies.
            for name in results:
                upstream = free_port()
                gunicorn = start_gunicorn(upstream, workdir)
                nginx = None
                try:
                    wait_for(upstream)
                    port = upstream
                    if name.startswith("nginx"):
                        port = free_port()
                        nginx = start_nginx(port, upstream, workdir)
                        wait_for(port)
                    seconds = measure(port, args.slow)
                finally:
                    for process in (nginx, gunicorn):
                        if process is not None:
                            process.terminate()
                            try:
                                process.wait(timeout=10)
                            except subprocess.TimeoutExpired:
                                process.kill()
                results[name].append(seconds)
                shown = "no answer within 5 s" if seconds is None else f"{seconds * 1000:.1f} ms"
                print(f"run {run}: {name:18} {args.slow} slow clients, /healthz: {shown}", flush=True)
    print()
    for name, values in results.items():
        answered = [value * 1000 for value in values if value is not None]
        summary = f"answered {len(answered)} of {len(values)}"
        if answered:
            summary += f", median {statistics.median(answered):.1f} ms (min {min(answered):.1f}, max {max(answered):.1f})"
        print(f"{name:18} {summary}")


if __name__ == "__main__":
    main()
