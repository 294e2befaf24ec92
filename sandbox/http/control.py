"""Operator endpoints every emulator has: faults, rate, reset, and the control part of its state.

Handlers take ``(app, data, query)`` like every operator handler; an emulator adds these routes
to its own table and merges :func:`control_snapshot` into its ``GET /sandbox/state``.
"""

from .web import as_int


def control_snapshot(app):
    return {"rate": app.rate.stats(), "rps": app.rate.rps, "faults": dict(app.faults.config)}


def reset(app, data, query):
    app.reset_state()
    app.faults.set()
    app.rate.reset()
    return {"success": True}


def faults(app, data, query):
    return {"success": True, "faults": app.faults.set(**data)}


def get_faults(app, data, query):
    return {"success": True, "faults": dict(app.faults.config)}


def rate(app, data, query):
    rps = as_int(data.get("rps", app.rate.rps))
    if not rps or rps < 1:
        raise ValueError("rps must be a positive integer")
    if data.get("reset_stats", True):
        app.rate.reset(rps)
    else:
        app.rate.rps = rps
    return {"success": True, "rps": rps}


ROUTES = [
    ("reset", {"POST": (None, reset)}),
    ("faults", {"GET": (None, get_faults), "POST": (None, faults)}),
    ("rate", {"POST": (None, rate)}),
]
