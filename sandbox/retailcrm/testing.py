"""Run the sandbox inside a test process.

    with SandboxServer(rps=1000) as sandbox:
        requests.get(sandbox.url + "/api/v5/orders", headers={"X-API-KEY": sandbox.api_key})
        assert sandbox.state.orders
"""

from ..http.testing import ChildProcess, ThreadedServer
from . import DEFAULT_API_KEY
from .app import SandboxApp


class SandboxServer(ThreadedServer):
    """The sandbox on a free loopback port, served by a background thread.

    ``extra_keys``: {key: {"scopes": [...], "sites": [...] or None}} for keys with restricted
    scopes or site access (scopes default to all, sites None = every shop).
    """

    thread_name = "retailcrm-sandbox"

    def __init__(self, seed="demo", api_key=DEFAULT_API_KEY, rps=10, extra_keys=None):
        self.api_key = api_key
        super().__init__(SandboxApp(api_key=api_key, rps=rps, extra_keys=extra_keys, seed=seed))
        self.api_url = self.url + "/api/v5"


class SandboxProcess(ChildProcess):
    """The sandbox in a child process (``python -m sandbox.retailcrm``), as RetailCRM would be.

    The operator endpoints stand in for ``.state``: :meth:`snapshot`, :meth:`rate_stats`, :meth:`post`.
    """

    def __init__(self, seed="demo", api_key=DEFAULT_API_KEY, rps=10):
        self.api_key = api_key
        super().__init__("sandbox.retailcrm", ["--seed", seed, "--rps", str(rps), "--api-key", api_key])
        self.api_url = self.url + "/api/v5"
