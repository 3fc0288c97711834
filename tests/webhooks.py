"""A webhook receiver for tests: a local HTTP server, and a signature check written from the Standard Webhooks
specification rather than from our signer."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify(secret: str, headers: dict[str, str], body: bytes, *, tolerance: int = 300) -> dict:
    """A receiver's check, written from the Standard Webhooks specification (not from our signer): the key
    is the base64 part of the secret; the signed content is "id.timestamp.body"; the header holds
    space-separated "v1,<base64>" signatures; the timestamp must be recent."""
    message_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        raise ValueError("timestamp too old or too new")
    key = base64.b64decode(secret.split("_", 1)[1])
    expected = hmac.new(key, f"{message_id}.{timestamp}.{body.decode()}".encode(), hashlib.sha256).digest()
    for candidate in headers["webhook-signature"].split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(base64.b64decode(value), expected):
            return json.loads(body)
    raise ValueError("no matching signature")


class Receiver:
    """A local HTTP server answering each POST with the next planned response."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.responses: list[tuple[int, dict[str, str]]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status, headers = receiver.responses.pop(0) if receiver.responses else (204, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/waypoint"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
