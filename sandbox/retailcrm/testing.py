"""Run the sandbox inside a test process.

    with SandboxServer(rps=1000) as sandbox:
        requests.get(sandbox.url + "/api/v5/orders", headers={"X-API-KEY": sandbox.api_key})
        assert sandbox.state.orders
"""

import json
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

from . import DEFAULT_API_KEY
from .app import SandboxApp
from .server import make_server


class SandboxServer:
    """The sandbox on a free loopback port, served by a background thread.

    ``extra_keys``: {key: {"scopes": [...], "sites": [...] or None}} for keys with restricted
    scopes or site access (scopes default to all, sites None = every shop).
    """

    def __init__(self, seed="demo", api_key=DEFAULT_API_KEY, rps=10, extra_keys=None):
        self.api_key = api_key
        self.app = SandboxApp(api_key=api_key, rps=rps, extra_keys=extra_keys, seed=seed)
        self.state = self.app.state
        self._server = make_server(self.app, "127.0.0.1", 0)
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self.api_url = self.url + "/api/v5"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="retailcrm-sandbox", daemon=True
        )
        self._thread.start()

    def set_faults(self, **settings):
        """Same as POST /sandbox/faults: error_rate, status, latency_ms, malformed_rate, drop_rate; none = reset."""
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
        self.state.reset()
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


class SandboxProcess:
    """The sandbox in a child process (``python -m sandbox.retailcrm``), as RetailCRM would be.

    For benchmarks: in a thread of the measured process its request handling competes for the
    GIL, delays requests past their rate-limit slots and earns 503s that RetailCRM would not send.
    The operator endpoints stand in for ``.state``: :meth:`snapshot`, :meth:`rate_stats`, :meth:`post`.
    """

    def __init__(self, seed="demo", api_key=DEFAULT_API_KEY, rps=10):
        self.api_key = api_key
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.api_url = self.url + "/api/v5"
        root = Path(__file__).resolve().parents[2]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sandbox.retailcrm", "--port", str(port), "--seed", seed, "--rps", str(rps),
             "--api-key", api_key], cwd=root, stdout=subprocess.PIPE, text=True)
        ready = self.process.stdout.readline()
        if "ready" not in ready:
            self.process.kill()
            raise RuntimeError(f"sandbox did not start: {ready!r}")

    def post(self, path: str, body: dict) -> dict:
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read())

    def snapshot(self) -> dict:
        """GET /sandbox/state: counts, stock, prices, rate statistics."""
        with urllib.request.urlopen(self.url + "/sandbox/state", timeout=120) as response:
            return json.loads(response.read())

    def rate_stats(self) -> dict:
        return self.snapshot()["rate"]

    def set_rps(self, rps: int) -> None:
        """Change the per-key limit and forget the request statistics."""
        self.post("/sandbox/rate", {"rps": rps, "reset_stats": True})

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process.stdout.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
