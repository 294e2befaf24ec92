import pytest

from tests.sandbox_world import connected_sandbox


@pytest.fixture
def crm(db):
    """The demo sandbox over real HTTP, with the settings pointing at it and the connection checked."""
    read_only = {"read-only-key": {"scopes": ["order_read", "reference_read"], "sites": None}}
    with connected_sandbox(catalog=False, sync=False, extra_keys=read_only) as server:
        yield server
