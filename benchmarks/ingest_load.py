"""The load of bench_ingest.py, in a process of its own: POST prepared request bodies to a Waypoint server
over keep-alive connections, `--concurrency` at a time, and print a JSON line with the wall time, each
request's latency and the status codes.

    python benchmarks/ingest_load.py --url http://127.0.0.1:8765/v1/batch --key wk_… --bodies FILE

FILE holds the bodies, one JSON document per line, as an SDK would send them."""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import queue
import sys
import threading
import time
from collections import Counter
from urllib.parse import urlsplit


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--bodies", required=True)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    with open(args.bodies, "rb") as handle:
        bodies = [line.rstrip(b"\n") for line in handle if line.strip()]
    url = urlsplit(args.url)
    headers = {
        "Content-Type": "application/json",
        "Authorization": "Basic " + base64.b64encode(f"{args.key}:".encode()).decode(),
        "User-Agent": "analytics-python/2.4.0",
    }
    work: queue.Queue[bytes | None] = queue.Queue()
    for body in bodies:
        work.put(body)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        mine, codes = [], Counter()
        while True:
            try:
                body = work.get_nowait()
            except queue.Empty:
                break
            started = time.perf_counter()
            connection.request("POST", url.path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            codes[response.status] += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            statuses.update(codes)

    threads = [threading.Thread(target=client) for _ in range(args.concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    json.dump({"seconds": seconds, "latencies": latencies, "statuses": dict(statuses)}, sys.stdout)


if __name__ == "__main__":
    main()
