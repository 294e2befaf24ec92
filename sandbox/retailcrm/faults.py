"""Injected failures, so clients can be tested against a flaky CRM.

``drop_after_rate`` applies the request and then closes the connection without an answer (the
ambiguous failure idempotency needs); ``match`` (a regular expression searched in "METHOD /path")
limits faults to some requests; ``count`` > 0 switches every fault off after that many faulted
requests. (The same settings as sandbox/http/faults.py on main.)
"""

import random
import re
import threading

DEFAULTS = {"error_rate": 0.0, "status": 503, "latency_ms": 0, "malformed_rate": 0.0, "drop_rate": 0.0,
            "retry_after": 0, "drop_after_rate": 0.0, "match": "", "count": 0}
RATES = ("error_rate", "malformed_rate", "drop_rate", "drop_after_rate")


class Faults:
    def __init__(self, seed=None):
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self.config = dict(DEFAULTS)
        self._match = None

    def set(self, **settings):
        """Replace the whole configuration; an empty call switches every fault off."""
        unknown = set(settings) - set(DEFAULTS)
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        config = dict(DEFAULTS)
        config.update(settings)
        try:
            for name in RATES:
                config[name] = float(config[name])
            config["count"] = max(0, int(config["count"]))
            config["status"] = int(config["status"])
            config["latency_ms"] = max(0, int(config["latency_ms"]))
            config["retry_after"] = max(0, int(config["retry_after"]))  # seconds; 0 = no Retry-After header
        except (TypeError, ValueError):
            raise ValueError(f"fault settings must be numbers: {settings}") from None
        for name in RATES:
            if not 0.0 <= config[name] <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if not 100 <= config["status"] <= 599:
            raise ValueError("status must be an HTTP status code")
        config["match"] = str(config["match"] or "")
        try:
            match = re.compile(config["match"]) if config["match"] else None
        except re.error as exc:
            raise ValueError(f"match is not a regular expression: {exc}") from None
        with self._lock:
            self.config = config
            self._match = match
        return dict(config)

    def draw(self, method=None, path=None):
        """Decide the fate of one API request: (latency seconds, 'drop'|'error'|'malformed'|'drop_after'|None)."""
        with self._lock:
            config = self.config
            if self._match is not None and not self._match.search(f"{method} {path}"):
                return 0.0, None
            roll = self._random.random
            if config["drop_rate"] and roll() < config["drop_rate"]:
                fate = "drop"
            elif config["error_rate"] and roll() < config["error_rate"]:
                fate = "error"
            elif config["malformed_rate"] and roll() < config["malformed_rate"]:
                fate = "malformed"
            elif config["drop_after_rate"] and roll() < config["drop_after_rate"]:
                fate = "drop_after"
            else:
                fate = None
            if fate is not None and config["count"]:
                config["count"] -= 1
                if not config["count"]:
                    self.config, self._match = dict(DEFAULTS), None
            return config["latency_ms"] / 1000.0, fate
