"""Request pacing per RetailCRM API key, shared by every process through Redis.

Why shared: RetailCRM counts requests per API key (10 per second; reference §1.7), not per
process. Every RQ worker, the scheduler and the web process use the same key, so a limiter
inside each process would let N workers send N × 10 requests a second and the CRM would answer
503. The state therefore lives in Redis, which every worker already shares.

How (a pacer): requests are spaced at least ``(period + margin) / rate`` apart — 105 ms at
10 requests a second — so any ``rate + 1`` requests span more than ``period + margin`` and the
CRM's sliding one-second window never holds more than ``rate`` of them. Redis keeps one number
per key, the earliest time the next request may go, and a Lua script (atomic, clock = Redis
``TIME``, so processes on different hosts agree) either grants the request *now* and moves that
time on, or answers how long to wait before asking again.

A grant is recorded when it is given, right before the request leaves, never reserved ahead:
a process that oversleeps (a busy CPU, a garbage collection, another thread holding the GIL)
pushes every later request back by as much, instead of sending late and then on time — which
is what put 11 requests into one second of the CRM's clock with a reserving limiter. The margin
only has to absorb the difference between grant and arrival (microseconds to a few ms).

``Retry-After``: when the CRM answers 429/503 with it, :meth:`pause` moves the key's next grant
time past the pause, so every process holds back, not only the one that was refused.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from typing import Protocol

from integration.crm.masking import LOGGER_NAME

__all__ = [
    "DEFAULT_MARGIN",
    "DEFAULT_RATE",
    "LocalRateLimiter",
    "RateLimiter",
    "RedisRateLimiter",
    "key_fingerprint",
]

log = logging.getLogger(LOGGER_NAME)

DEFAULT_RATE = 10
DEFAULT_MARGIN = 0.05  # seconds per `rate` requests: 10 requests per 1.05 s, under 5 % of the throughput
KEY_PREFIX = "retailcrm:ratelimit:"
REDIS_RETRY_AFTER = 30  # seconds of in-process limiting after Redis failed
MAX_PAUSE = 300.0  # a Retry-After longer than this is a broken header, not a plan


class RateLimiter(Protocol):
    def acquire(self) -> float:
        """Block until a request may be sent now; return the seconds waited."""

    def pause(self, seconds: float) -> None:
        """No request with this key before ``seconds`` from now (the CRM's ``Retry-After``)."""


def key_fingerprint(api_key: str) -> str:
    """A stable, non-reversible name for a key: Redis key names must never contain the key itself."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:24]


def _check(rate: int, period: float, margin: float) -> None:
    if int(rate) != rate or rate < 1:
        raise ValueError(f"rate must be a whole number of requests ≥ 1, got {rate!r}")
    if period <= 0 or margin < 0:
        raise ValueError("period must be positive and margin not negative")


class _Pacer:
    """``acquire`` built on ``try_acquire``: ask, sleep as told, ask again."""

    interval: float

    def try_acquire(self) -> float:
        raise NotImplementedError

    def acquire(self) -> float:
        waited = 0.0
        while (delay := self.try_acquire()) > 0:
            time.sleep(delay)
            waited += delay
        return waited


class LocalRateLimiter(_Pacer):
    """The same pacing for one process (threads share it); used when there is no Redis."""

    def __init__(self, rate: int = DEFAULT_RATE, period: float = 1.0, margin: float = DEFAULT_MARGIN):
        _check(rate, period, margin)
        self.rate = int(rate)
        self.interval = (period + margin) / self.rate
        self._next = 0.0
        self._lock = threading.Lock()

    def try_acquire(self) -> float:
        """0 and the request is granted now; otherwise the seconds to wait before asking again."""
        with self._lock:
            now = time.monotonic()
            if now < self._next:
                return self._next - now
            self._next = now + self.interval
            return 0.0

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._next = max(self._next, time.monotonic() + min(max(seconds, 0.0), MAX_PAUSE))


# KEYS[1]: the earliest time (µs since the epoch) the next request may go. ARGV[1]: the spacing
# in µs. Returns 0 (granted, the time moved on) or the µs to wait. Times are written with %d:
# Redis turns Lua numbers into strings with 14 significant digits, which would round 16-digit
# microsecond timestamps by up to 100 µs.
_TRY_ACQUIRE = """
if redis.replicate_commands then redis.replicate_commands() end
local key = KEYS[1]
local interval = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local next_at = tonumber(redis.call('GET', key) or '0')
if now < next_at then return next_at - now end
redis.call('SET', key, string.format('%d', now + interval), 'PX', math.floor(interval / 1000) + 60000)
return 0
"""

# KEYS[1] as above; ARGV[1]: the pause in µs. Only ever moves the next grant later.
_PAUSE = """
if redis.replicate_commands then redis.replicate_commands() end
local key = KEYS[1]
local pause = tonumber(ARGV[1])
local t = redis.call('TIME')
local until_at = tonumber(t[1]) * 1000000 + tonumber(t[2]) + pause
local next_at = tonumber(redis.call('GET', key) or '0')
if until_at > next_at then
  redis.call('SET', key, string.format('%d', until_at), 'PX', math.floor(pause / 1000) + 60000)
end
return 0
"""


class RedisRateLimiter(_Pacer):
    """The pacer shared by every process that talks to Redis; one per API key."""

    def __init__(
        self,
        redis,
        api_key: str,
        rate: int = DEFAULT_RATE,
        *,
        period: float = 1.0,
        margin: float = DEFAULT_MARGIN,
        fallback: LocalRateLimiter | None = None,
    ):
        _check(rate, period, margin)
        if not api_key:
            raise ValueError("a rate limiter needs the API key it limits")
        self.redis = redis
        self.rate = int(rate)
        self.interval = (period + margin) / self.rate
        self.key = KEY_PREFIX + key_fingerprint(api_key)
        self._try = redis.register_script(_TRY_ACQUIRE)
        self._pause = redis.register_script(_PAUSE)
        self._fallback = fallback or LocalRateLimiter(rate, period, margin)
        self._redis_retry_at = 0.0

    def _redis_usable(self) -> bool:
        return time.monotonic() >= self._redis_retry_at

    def _redis_failed(self, exc: Exception) -> None:
        # Redis down must not stop a manual "check connection": each process then paces itself,
        # and the CRM's 503 plus our retries absorb any excess. Redis is asked again only after
        # a pause, so every request does not pay a connect timeout.
        log.warning("Rate limiter Redis unavailable (%s); limiting within this process only for %d s",
                    exc, REDIS_RETRY_AFTER)
        self._redis_retry_at = time.monotonic() + REDIS_RETRY_AFTER

    def try_acquire(self) -> float:
        """0 and the request is granted now; otherwise the seconds to wait before asking again."""
        if not self._redis_usable():
            return self._fallback.try_acquire()
        try:
            wait_us = self._try(keys=[self.key], args=[int(self.interval * 1_000_000)])
        except Exception as exc:  # redis.RedisError and socket errors alike
            self._redis_failed(exc)
            return self._fallback.try_acquire()
        return max(0, int(wait_us)) / 1_000_000

    def pause(self, seconds: float) -> None:
        seconds = min(max(float(seconds), 0.0), MAX_PAUSE)
        self._fallback.pause(seconds)
        if not self._redis_usable():
            return
        try:
            self._pause(keys=[self.key], args=[int(seconds * 1_000_000)])
        except Exception as exc:
            self._redis_failed(exc)

    def reset(self) -> None:
        """Forget the pacing state (tests, or after changing the rate)."""
        self.redis.delete(self.key)
