"""The RetailCRM sandbox over real HTTP; no Django database needed."""

import pytest
import requests

from sandbox.retailcrm.testing import SandboxServer


@pytest.fixture
def sandbox():
    """A demo-seeded sandbox with a high rate limit (tests about the limit lower it)."""
    with SandboxServer(seed="demo", rps=1000) as server:
        yield server


@pytest.fixture
def api(sandbox):
    """Tiny helper: api.get("orders", params=...) / api.post("orders/create", data=...) with the default key."""
    return Api(sandbox.api_url, sandbox.api_key)


class Api:
    def __init__(self, base, key):
        self.base = base
        self.key = key
        self.session = requests.Session()

    def get(self, path, key=None, **kw):
        return self.session.get(f"{self.base}/{path}", headers={"X-API-KEY": key or self.key}, timeout=10, **kw)

    def post(self, path, key=None, **kw):
        return self.session.post(f"{self.base}/{path}", headers={"X-API-KEY": key or self.key}, timeout=10, **kw)
