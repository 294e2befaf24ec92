"""A tiny scripted HTTP server on 127.0.0.1 (stdlib http.server in a thread) for the shared transport.

Each test scripts what ``METHOD /path`` answers, one step per request (the last one repeats), and
reads what arrived: the real socket, the real ``requests`` stack, no mocks.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from integration.exchange.http.ratelimit import LocalRateLimiter


@dataclass
class Step:
    status: int = 200
    body: object = field(default_factory=lambda: {"ok": True})  # dict/list → JSON, str → as is
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (longer than the client's read timeout = a lost answer)
    drop: bool = False  # close the connection without a byte of answer
    echo_header: str | None = None  # put this request header's value into the body (a server that echoes)


class Script:
    def __init__(self):
        self.steps: dict[str, list[Step]] = {}
        self.hits: dict[str, list[dict]] = {}
        self.lock = threading.Lock()
        self.released = threading.Event()

    def on(self, method: str, path: str, *steps: Step) -> None:
        self.steps[f"{method} {path}"] = list(steps)

    def count(self, method: str, path: str) -> int:
        return len(self.hits.get(f"{method} {path}", []))

    def next_step(self, key: str, request: dict) -> Step:
        with self.lock:
            self.hits.setdefault(key, []).append(request)
            steps = self.steps.get(key) or [Step(404, {"error": "no such route"})]
            return steps.pop(0) if len(steps) > 1 else steps[0]


def _handler(script: Script):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            step = script.next_step(f"{self.command} {path}", {"headers": dict(self.headers), "body": body,
                                                               "path": self.path})
            if step.delay:
                script.released.wait(step.delay)  # ended early when the test is over
            if step.drop:
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            payload = step.body
            if step.echo_header:
                payload = {"error": f"bad credentials {self.headers.get(step.echo_header)}"}
            data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            self.send_response(step.status)
            ctype = "text/html" if isinstance(payload, str) else "application/json"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for name, value in step.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

    return Handler


@pytest.fixture
def server():
    script = Script()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    script.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield script
    script.released.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def fast():
    """Transport options for tests: no backoff sleeps, a generous local pacer, a short read timeout."""
    return {"backoff": 0.0, "max_retries": 2, "timeout": (2.0, 0.3), "rate_limiter": LocalRateLimiter(rate=1000)}


@pytest.fixture
def closed_port():
    """A loopback port nobody listens on (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return port
