"""Run an emulator inside a test process (a thread) or beside it (a child process)."""

import json
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

from .server import make_server

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OperatorClient:
    """The ``/sandbox/*`` endpoints over HTTP; ``self.url`` is the emulator's root."""

    url = None

    def post(self, path: str, body: dict = None) -> dict:
        return self._call("POST", path, body or {})

    def get(self, path: str) -> dict:
        return self._call("GET", path, None)

    def _call(self, method, path, body):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:  # an operator mistake in a test: show the emulator's reason
            raise AssertionError(f"{method} {path} -> {error.code}: {error.read().decode()}") from None

    def snapshot(self) -> dict:
        """GET /sandbox/state."""
        return self.get("/sandbox/state")


class ThreadedServer(OperatorClient):
    """``app`` on a free loopback port, served by a background thread."""

    thread_name = "sandbox"

    def __init__(self, app):
        self.app = app
        self.state = app.state
        self._server = make_server(app, "127.0.0.1", 0)
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=self.thread_name, daemon=True
        )
        self._thread.start()

    def set_faults(self, **settings):
        """Same as POST /sandbox/faults (see sandbox.http.faults); no settings = every fault off."""
        return self.app.faults.set(**settings)

    def set_rps(self, rps, reset_stats=True):
        """Change the per-key limit; by default also forget the request statistics."""
        if reset_stats:
            self.app.rate.reset(rps)
        else:
            self.app.rate.rps = rps

    def rate_stats(self):
        """{key: {"max_per_second", "total", "rejected_503"}} as in GET /sandbox/state."""
        return self.app.rate.stats()

    def reset(self):
        """Back to the seed, faults off, rate statistics cleared (as POST /sandbox/reset)."""
        self.app.reset_state()
        self.app.faults.set()
        self.app.rate.reset()

    def stop(self):
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class ChildProcess(OperatorClient):
    """``python -m <module> --port N <args>`` in a child process, as the remote system would be.

    For benchmarks: in a thread of the measured process its request handling competes for the
    GIL, delays requests past their rate-limit slots and earns errors the real system would not send.
    """

    def __init__(self, module, args=()):
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen([sys.executable, "-m", module, "--port", str(port), *args], cwd=ROOT,
                                        stdout=subprocess.PIPE, text=True)
        ready = self.process.stdout.readline()
        if "ready" not in ready:
            self.process.kill()
            raise RuntimeError(f"sandbox did not start: {ready!r}")

    def rate_stats(self) -> dict:
        return self.snapshot()["rate"]

    def set_rps(self, rps: int) -> None:
        """Change the per-key limit and forget the request statistics."""
        self.post("/sandbox/rate", {"rps": rps, "reset_stats": True})

    def set_faults(self, **settings) -> dict:
        return self.post("/sandbox/faults", settings)["faults"]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
