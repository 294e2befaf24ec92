"""Fixtures for the RetailCRM client tests: the sandbox over real HTTP on loopback, a real Redis.

One sandbox server serves the whole session (starting one costs ~0.3 s); every test gets it
back in its seeded state with faults off and rate statistics cleared.
"""

import socket

import django_rq
import pytest

from integration.retailcrm.client import LocalRateLimiter, RetailCrmClient
from sandbox.retailcrm.testing import SandboxServer

# Distinctive, so a leak into any message or log line is easy to spot.
API_KEY = "crm-test-key-7Fq2LxW9pR4d"
LIMITED_KEY = "crm-limited-key-Zt81Bn0c"
LIMITED_SCOPES = ["order_read", "reference_read", "customer_read"]
FAST_RPS = 10_000  # tests that are not about rate must not wait for it


@pytest.fixture(scope="session")
def sandbox_server():
    extra = {LIMITED_KEY: {"scopes": LIMITED_SCOPES, "sites": ["second-shop"]}}
    with SandboxServer(seed="demo", api_key=API_KEY, rps=FAST_RPS, extra_keys=extra) as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server):
    sandbox_server.reset()
    sandbox_server.set_rps(FAST_RPS)
    yield sandbox_server
    sandbox_server.set_faults()


def make_client(url, api_key=API_KEY, **options):
    options.setdefault("rate_limiter", LocalRateLimiter(rate=FAST_RPS))
    options.setdefault("backoff", 0.01)
    options.setdefault("max_retries", 3)
    options.setdefault("site", "main-shop")
    return RetailCrmClient(url, api_key, **options)


@pytest.fixture
def client(sandbox):
    with make_client(sandbox.url) as crm:
        yield crm


@pytest.fixture
def redis_connection():
    # the root conftest flushes this database around every test
    return django_rq.get_connection("default")


@pytest.fixture
def closed_port():
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
