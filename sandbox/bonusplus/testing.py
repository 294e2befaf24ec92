"""Run the BonusPlus emulator in tests.

    with BonusPlusServer(seed="empty") as bp:
        bp.set_program(maxDebitPercent=30, multiplicity=10)
        bp.add_customers({"phone": "79990000001", "card": "2000000000017", "bonuses": 500})
        requests.get(bp.api_url + "customer", params={"phone": "79990000001"}, headers=bp.headers)
        assert bp.snapshot()["reserves"] == []
"""

import base64

from ..http.testing import ChildProcess, ThreadedServer
from . import DEFAULT_API_KEY
from .app import BonusPlusApp


class _Operator:
    """Seeding and reading through the operator endpoints, so a thread and a process behave alike."""

    api_key = DEFAULT_API_KEY

    @property
    def headers(self):
        """What a client sends: ``Authorization: ApiKey <Base64 key>`` and JSON."""
        token = base64.b64encode(self.api_key.encode()).decode()
        return {"Authorization": f"ApiKey {token}", "Content-Type": "application/json"}

    def set_program(self, **rules):
        """Merge programme rules: discountPercent, accrualPercent, maxDebitPercent, multiplicity,
        codeTtlSeconds, duplicateExternalId ("refuse" | "return"), products {id: rules}, ..."""
        return self.post("/sandbox/program", rules)["program"]

    def add_customers(self, *customers):
        """Create or replace customers: {phone, card?, bonuses?, fn?, ln?, phoneConfirmed?, ...}."""
        return self.post("/sandbox/customers", {"customers": list(customers)})["customers"]

    def advance_clock(self, seconds):
        return self.post("/sandbox/clock", {"advance": seconds})["clock"]

    def customer(self, phone):
        """The customer as in GET /sandbox/state (API fields plus bonuses, reserved, phoneConfirmed)."""
        return next((c for c in self.snapshot()["customers"] if c["phone"] == phone), None)

    def last_code(self, phone):
        """The last SMS code sent to ``phone`` (what the customer would read on the phone)."""
        codes = [sms["code"] for sms in self.snapshot()["sms"] if sms["phone"] == phone]
        return codes[-1] if codes else None


class BonusPlusServer(_Operator, ThreadedServer):
    """The emulator on a free loopback port, served by a background thread of the test process."""

    thread_name = "bonusplus-sandbox"

    def __init__(self, seed="demo", api_key=DEFAULT_API_KEY, rps=1000, rate_window=1.0):
        self.api_key = api_key
        super().__init__(BonusPlusApp(api_key=api_key, rps=rps, seed=seed, rate_window=rate_window))
        self.api_url = self.url + "/api/"


class BonusPlusProcess(_Operator, ChildProcess):
    """The emulator in a child process (``python -m sandbox.bonusplus``), e.g. for benchmarks or SIGKILL tests."""

    def __init__(self, seed="demo", api_key=DEFAULT_API_KEY, rps=1000, rate_window=1.0):
        self.api_key = api_key
        super().__init__("sandbox.bonusplus", ["--seed", seed, "--rps", str(rps), "--window", str(rate_window),
                                               "--api-key", api_key])
        self.api_url = self.url + "/api/"
