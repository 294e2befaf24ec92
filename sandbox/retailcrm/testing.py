"""Run the sandbox inside a test process.

    with SandboxServer(rps=1000) as sandbox:
        requests.get(sandbox.url + "/api/v5/orders", headers={"X-API-KEY": sandbox.api_key})
        assert sandbox.state.orders
"""

import threading

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
