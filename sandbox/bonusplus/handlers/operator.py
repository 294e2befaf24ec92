"""/sandbox/* endpoints: read the account, seed programme rules and customers, move the clock.

Bodies are plain JSON objects; no API key is needed. ``faults``, ``rate`` and ``reset`` come
from sandbox.http.control.
"""

from ...http.control import control_snapshot
from ..seed import add_customer
from ..state import jsonable, validate_program
from ..customers import render_customer


def state(app, data, query):
    snapshot = app.state.snapshot()
    snapshot.update(control_snapshot(app))
    return snapshot


def program(app, data, query):
    """Merge programme rules (see state.PROGRAM_DEFAULTS); ``products`` replaces the per-product rules."""
    validate_program(data)
    app.state.program.update(data)
    return {"success": True, "program": jsonable(app.state.program)}


def customers(app, data, query):
    """{"customers": [{phone, card?, bonuses?, fn?, ..., phoneConfirmed?, bonusDebitDenied?,
    discountPercent?, debitPercent?}]}: create or replace each."""
    rows = data.get("customers")
    if not isinstance(rows, list):
        raise ValueError('"customers" must be a list')
    created = [add_customer(app.state, row) for row in rows]
    return {"success": True, "customers": jsonable([render_customer(app.state, r) for r in created])}


def clock(app, data, query):
    """{"advance": seconds}: move the emulator's clock forward (SMS code expiry)."""
    seconds = float(data.get("advance", 0))
    if seconds < 0:
        raise ValueError("the clock only moves forward")
    app.state.clock_offset += seconds
    return {"success": True, "clock": app.state.timestamp()}


ROUTES = [
    ("state", {"GET": (None, state)}),
    ("program", {"POST": (None, program)}),
    ("customers", {"POST": (None, customers)}),
    ("clock", {"POST": (None, clock)}),
]
