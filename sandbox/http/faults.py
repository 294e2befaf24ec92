"""Injected failures, so clients can be tested against a flaky remote system.

Fates decided per request (each rate is a probability 0..1; a rate of 0 draws no random number,
so a seeded sequence stays the same whatever other fates exist):

- before the request is applied: ``drop`` (close the connection), ``error`` (answer ``status``),
  ``timeout`` (wait ``timeout_ms``, then close), and ``latency_ms`` before everything;
- after the request is applied, the ambiguous failures idempotency tests need: ``malformed``
  (garbled 200 answer), ``drop_after`` (close the connection without an answer),
  ``error_after`` (answer ``status``), ``timeout_after`` (wait ``timeout_ms``, then close).

``match`` (a regular expression searched in ``"METHOD /path"``) limits faults to some requests;
``count`` > 0 switches every fault off after that many faulted requests, so a test can say
"drop the answer of the next reserve call" deterministically.
"""

import random
import re
import threading

DEFAULTS = {"error_rate": 0.0, "status": 503, "latency_ms": 0, "malformed_rate": 0.0, "drop_rate": 0.0,
            "retry_after": 0, "timeout_rate": 0.0, "drop_after_rate": 0.0, "error_after_rate": 0.0,
            "timeout_after_rate": 0.0, "timeout_ms": 5000, "match": "", "count": 0}

RATES = ("drop_rate", "error_rate", "malformed_rate", "timeout_rate", "drop_after_rate", "error_after_rate",
         "timeout_after_rate")
# Draw order; the first three keep the order they had before the others existed (seeded tests rely on it).
FATES = (("drop_rate", "drop"), ("error_rate", "error"), ("malformed_rate", "malformed"),
         ("timeout_rate", "timeout"), ("drop_after_rate", "drop_after"), ("error_after_rate", "error_after"),
         ("timeout_after_rate", "timeout_after"))
AFTER = ("malformed", "drop_after", "error_after", "timeout_after")


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
            config["status"] = int(config["status"])
            config["latency_ms"] = max(0, int(config["latency_ms"]))
            config["timeout_ms"] = max(0, int(config["timeout_ms"]))
            config["retry_after"] = max(0, int(config["retry_after"]))  # seconds; 0 = no Retry-After header
            config["count"] = max(0, int(config["count"]))
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
        """Decide the fate of one API request: (latency seconds, one of FATES' names or None)."""
        latency, fate, _ = self.decide(method, path)
        return latency, fate

    def decide(self, method=None, path=None):
        """As draw, plus the configuration the fate was drawn from (``count`` may have reset it since)."""
        with self._lock:
            config = self.config
            if self._match is not None and not self._match.search(f"{method} {path}"):
                return 0.0, None, config
            roll = self._random.random
            fate = None
            for name, candidate in FATES:
                if config[name] and roll() < config[name]:
                    fate = candidate
                    break
            latency = config["latency_ms"] / 1000.0
            if fate is None:
                return latency, None, config
            if config["count"]:
                config["count"] -= 1
                if not config["count"]:
                    self.config, self._match = dict(DEFAULTS), None
            return latency, fate, dict(config)
