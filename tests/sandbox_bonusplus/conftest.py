"""The BonusPlus emulator over real HTTP; no Django database needed."""

import pytest
import requests

from sandbox.bonusplus.testing import BonusPlusServer

PHONE, CARD = "79990000001", "2000000000017"


@pytest.fixture
def bp():
    """An empty account with one customer holding 500 bonuses and the default programme."""
    with BonusPlusServer(seed="empty") as server:
        server.add_customers({"phone": PHONE, "card": CARD, "bonuses": 500, "fn": "Мария"})
        yield server


@pytest.fixture
def api(bp):
    return Api(bp)


class Api:
    """api.get("customer", params=...), api.put("retail/calc", json=...): the right key unless told."""

    def __init__(self, server):
        self.server = server
        self.session = requests.Session()

    def call(self, method, path, headers=None, **kw):
        kw.setdefault("timeout", 10)
        return self.session.request(method, self.server.api_url + path, headers=headers or self.server.headers, **kw)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, **kw):
        return self.call("POST", path, **kw)

    def put(self, path, **kw):
        return self.call("PUT", path, **kw)

    def patch(self, path, **kw):
        return self.call("PATCH", path, **kw)


def business_error(answer, code):
    """A 412 with exactly the Error model's fields, and the expected code."""
    assert answer.status_code == 412, answer.text
    body = answer.json()
    assert set(body) == {"code", "msg", "devMsg"}
    assert body["code"] == code and body["msg"]
    return body
