"""Fixtures for the RetailCRM client tests: the sandbox over real HTTP and a real Redis."""

import django_rq
import pytest


@pytest.fixture
def redis_connection():
    # the root conftest flushes this database around every test
    return django_rq.get_connection("default")
