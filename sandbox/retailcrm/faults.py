"""Injected failures, so clients can be tested against a flaky CRM."""

import random
import threading

# drop_rate: the connection closes before the request is processed; lost_answer_rate: a write (POST) is
# processed and then the connection closes without an answer — the client cannot tell it happened.
DEFAULTS = {"error_rate": 0.0, "status": 503, "latency_ms": 0, "malformed_rate": 0.0, "drop_rate": 0.0,
            "retry_after": 0, "lost_answer_rate": 0.0}
RATES = ("error_rate", "malformed_rate", "drop_rate", "lost_answer_rate")


class Faults:
    def __init__(self, seed=None):
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self.config = dict(DEFAULTS)

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
        with self._lock:
            self.config = config
        return dict(config)

    def draw(self):
        """Decide the fate of one API request: (latency seconds, 'drop'|'error'|'malformed'|None)."""
        with self._lock:
            config = self.config
            roll = self._random.random
            if config["drop_rate"] and roll() < config["drop_rate"]:
                fate = "drop"
            elif config["error_rate"] and roll() < config["error_rate"]:
                fate = "error"
            elif config["malformed_rate"] and roll() < config["malformed_rate"]:
                fate = "malformed"
            else:
                fate = None
            return config["latency_ms"] / 1000.0, fate

    def answer_lost(self, method):
        """After a write was processed: is its answer lost on the way back?"""
        with self._lock:
            rate = self.config["lost_answer_rate"]
            return bool(method == "POST" and rate and self._random.random() < rate)
