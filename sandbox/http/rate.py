"""Per-key request rate: the limiter that answers 503 and the statistics tests assert on."""

import collections
import threading
import time

WINDOW = 1.0
ARRIVALS_KEPT = 100_000  # per key: when each request came, for tests of pauses and pacing


class RateLimiter:
    """Sliding window (one second unless told) per API key.

    Accepted requests are limited to ``rps`` per window. Every request (accepted or rejected)
    is also counted in a second window so that ``max_per_second`` shows how hard a client pushed,
    which is what a test needs to prove that a client never exceeded the limit.
    """

    def __init__(self, rps, clock=time.monotonic, window=WINDOW):
        self.rps = rps
        self.window = window  # seconds; an emulator of an hourly quota passes 3600
        self._clock = clock
        self._lock = threading.Lock()
        self._accepted = collections.defaultdict(collections.deque)
        self._seen = collections.defaultdict(collections.deque)
        self._stats = {}
        self._arrivals = collections.defaultdict(lambda: collections.deque(maxlen=ARRIVALS_KEPT))

    def hit(self, key):
        """Count one request for ``key``; return False when it must be rejected."""
        now = self._clock()
        with self._lock:
            stats = self._stats.setdefault(key, {"max_per_second": 0, "total": 0, "rejected_503": 0})
            seen = self._trim(self._seen[key], now)
            seen.append(now)
            self._arrivals[key].append(now)
            stats["total"] += 1
            stats["max_per_second"] = max(stats["max_per_second"], len(seen))
            accepted = self._trim(self._accepted[key], now)
            if len(accepted) >= self.rps:
                stats["rejected_503"] += 1
                return False
            accepted.append(now)
            return True

    def _trim(self, window, now):
        while window and window[0] <= now - self.window:
            window.popleft()
        return window

    def stats(self):
        with self._lock:
            return {key: dict(value) for key, value in self._stats.items()}

    def arrivals(self, key):
        """The clock readings (``time.monotonic`` by default) at which requests of ``key`` arrived."""
        with self._lock:
            return list(self._arrivals.get(key, ()))

    def reset(self, rps=None):
        with self._lock:
            if rps is not None:
                self.rps = rps
            self._accepted.clear()
            self._seen.clear()
            self._stats.clear()
            self._arrivals.clear()
