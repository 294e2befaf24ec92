"""Request pacing per RetailCRM API key, shared by every process through Redis.

Why shared: RetailCRM counts requests per API key (10 per second; reference §1.7), not per
process. Every RQ worker, the scheduler and the web process use the same key, so a limiter
inside each process would let N workers send N × 10 requests a second and the CRM would answer
503. The state therefore lives in Redis, which every worker already shares.

How: two rules, checked together in one Lua script (atomic, clock = Redis ``TIME``, so processes
on different hosts agree), which either grants a request *now* or answers how long to wait
before asking again — a grant is never reserved ahead, so a process that oversleeps delays the
requests after it instead of crowding the window.

1. Leases. The CRM counts a request in its sliding window from the moment it arrives there,
   which is somewhere between our grant and our receiving the answer. So a granted request holds
   a lease until one ``period`` after its answer came back (while in flight, until it does); at
   most ``rate`` leases exist at once. Any ``rate`` requests the CRM has seen in one second were
   then all leased at the same time, so the next one is held back: the window cannot overflow,
   whatever the sleep overshoot, the GIL, a busy CPU or the network add. The cost is one
   answer's latency per ``rate`` requests.
2. Spacing: successive grants at least ``period / rate`` apart (100 ms at 10 per second), so the
   budget is spread over the second rather than spent in bursts that pile up in the CRM.

``Retry-After``: when the CRM answers 429/503 with it, :meth:`pause` moves the key's next grant
time past the pause, so every process holds back, not only the one that was refused.

A lease whose process died before releasing it lapses after ``IN_FLIGHT_SECONDS``.

The limiter keeps a Redis connection of its own (not one taken from the pool and given back on
every call). A release is sent at once: holding it back to travel with the next request would
save a round trip, but a client left open and idle would then hold a lease for minutes and slow
every other process down.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import os
import threading
import time
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Protocol

from integration.exchange.secrets import LOGGER_NAME

__all__ = [
    "DEFAULT_MARGIN",
    "DEFAULT_RATE",
    "Grant",
    "LocalRateLimiter",
    "RateLimiter",
    "RedisRateLimiter",
    "key_fingerprint",
]

log = logging.getLogger(LOGGER_NAME)

DEFAULT_RATE = 10
DEFAULT_MARGIN = 0.0  # seconds added to the period; the leases make a safety margin unnecessary
KEY_PREFIX = "retailcrm:ratelimit:"
REDIS_RETRY_AFTER = 30  # seconds of in-process limiting after Redis failed
MAX_PAUSE = 300.0  # a Retry-After longer than this is a broken header, not a plan
IN_FLIGHT_SECONDS = 120.0  # a lease never released (its process died) lapses after this
POLL_SECONDS = 0.005  # how often a waiter asks again while every lease is held by a request in flight


@dataclass
class Grant:
    """One granted request: hand it back to :meth:`RateLimiter.release` when its answer came."""

    token: str
    waited: float = 0.0


class RateLimiter(Protocol):
    def acquire(self) -> Grant:
        """Block until a request may be sent now."""

    def release(self, grant: Grant) -> None:
        """The answer to ``grant``'s request came back (or the request failed)."""

    def pause(self, seconds: float) -> None:
        """No request with this key before ``seconds`` from now (the CRM's ``Retry-After``)."""

    def close(self) -> None:
        """The client is done: give back what the limiter holds (a connection)."""


def key_fingerprint(api_key: str) -> str:
    """A stable, non-reversible name for a key: Redis key names must never contain the key itself."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:24]


def _check(rate: int, period: float, margin: float) -> None:
    if int(rate) != rate or rate < 1:
        raise ValueError(f"rate must be a whole number of requests ≥ 1, got {rate!r}")
    if period <= 0 or margin < 0:
        raise ValueError("period must be positive and margin not negative")


class _Pacer(ABC):
    """``acquire`` built on ``try_acquire``: ask, sleep as told, ask again."""

    _tokens = itertools.count()
    _token_prefix = uuid.uuid4().hex  # unique per process (renewed in a forked child); a counter does the rest

    @abstractmethod
    def try_acquire(self, token: str) -> float:
        """0 and the request is granted now; otherwise the seconds to wait before asking again."""

    def acquire(self) -> Grant:
        grant = Grant(f"{self._token_prefix}-{next(self._tokens)}")
        while (delay := self.try_acquire(grant.token)) > 0:
            time.sleep(delay)
            grant.waited += delay
        return grant


def _renew_token_prefix() -> None:
    # RQ runs each job in a child forked from the worker: without this, every child would hand out
    # the worker's tokens again, and a new lease could overwrite one still held in Redis.
    _Pacer._token_prefix = uuid.uuid4().hex
    _Pacer._tokens = itertools.count()


os.register_at_fork(after_in_child=_renew_token_prefix)


class LocalRateLimiter(_Pacer):
    """The same rules for one process (threads share it); used when there is no Redis."""

    def __init__(self, rate: int = DEFAULT_RATE, period: float = 1.0, margin: float = DEFAULT_MARGIN):
        _check(rate, period, margin)
        self.rate = int(rate)
        self.period = period + margin
        self.interval = self.period / self.rate
        self._next = 0.0
        self._leases: dict[str, float] = {}  # token → when it lapses
        self._lock = threading.Lock()

    def try_acquire(self, token: str) -> float:
        """0 and the request is granted now; otherwise the seconds to wait before asking again."""
        with self._lock:
            now = time.monotonic()
            self._leases = {t: until for t, until in self._leases.items() if until > now}
            if now < self._next:
                return self._next - now
            if len(self._leases) >= self.rate:
                first = min(self._leases.values()) - now
                return first if first <= self.period else POLL_SECONDS
            self._leases[token] = now + IN_FLIGHT_SECONDS
            self._next = now + self.interval
            return 0.0

    def release(self, grant: Grant) -> None:
        with self._lock:
            if grant.token in self._leases:
                self._leases[grant.token] = time.monotonic() + self.period

    def pause(self, seconds: float) -> None:
        with self._lock:
            self._next = max(self._next, time.monotonic() + min(max(seconds, 0.0), MAX_PAUSE))

    def close(self) -> None:
        """Nothing is held here."""


# KEYS[1]: the earliest time (µs since the epoch) the next request may go; KEYS[2]: the leases,
# a sorted set of tokens scored by when each lapses. ARGV: rate, spacing µs, period µs, in-flight
# µs, poll µs, token. Returns 0 (granted) or the µs to wait. Times are written with %d: Redis turns Lua numbers into
# strings with 14 significant digits, which would round 16-digit µs timestamps.
_TRY_ACQUIRE = """
if redis.replicate_commands then redis.replicate_commands() end
local rate, interval, period = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local in_flight, poll = tonumber(ARGV[4]), tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local next_at = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < next_at then return next_at - now end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', string.format('%d', now))
if redis.call('ZCARD', KEYS[2]) >= rate then
  local first = tonumber(redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')[2]) - now
  if first <= period then return math.max(first, 1) end
  return poll
end
redis.call('ZADD', KEYS[2], string.format('%d', now + in_flight), ARGV[6])
redis.call('PEXPIRE', KEYS[2], math.floor(in_flight / 1000) + 1000)
redis.call('SET', KEYS[1], string.format('%d', now + interval), 'PX', math.floor(interval / 1000) + 60000)
return 0
"""

# KEYS[2] as above; ARGV: period µs, token. The lease now lapses one period after the answer.
_RELEASE = """
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZADD', KEYS[1], 'XX', string.format('%d', now + tonumber(ARGV[1])), ARGV[2])
return 0
"""

# KEYS[1] as above; ARGV[1]: the pause in µs. Only ever moves the next grant later.
_PAUSE = """
if redis.replicate_commands then redis.replicate_commands() end
local pause = tonumber(ARGV[1])
local t = redis.call('TIME')
local until_at = tonumber(t[1]) * 1000000 + tonumber(t[2]) + pause
local next_at = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_at > next_at then
  redis.call('SET', KEYS[1], string.format('%d', until_at), 'PX', math.floor(pause / 1000) + 60000)
end
return 0
"""


def _us(seconds: float) -> int:
    return int(seconds * 1_000_000)


class RedisRateLimiter(_Pacer):
    """The pacer shared by every process that talks to Redis; one per system (``name``) and API key."""

    def __init__(
        self,
        redis,
        api_key: str,
        rate: int = DEFAULT_RATE,
        *,
        period: float = 1.0,
        margin: float = DEFAULT_MARGIN,
        fallback: LocalRateLimiter | None = None,
        name: str = "retailcrm",
    ):
        _check(rate, period, margin)
        if not api_key:
            raise ValueError("a rate limiter needs the API key it limits")
        self.redis = redis
        self.rate = int(rate)
        self.period = period + margin
        self.interval = self.period / self.rate
        # one budget per system and credential; RetailCRM's keys keep the prefix they always had
        self.key = (KEY_PREFIX if name == "retailcrm" else f"{name}:ratelimit:") + key_fingerprint(api_key)
        self.leases_key = self.key + ":leases"
        self._try = redis.register_script(_TRY_ACQUIRE)
        self._release = redis.register_script(_RELEASE)
        self._pause = redis.register_script(_PAUSE)
        self._fallback = fallback or LocalRateLimiter(rate, period, margin)
        self._redis_retry_at = 0.0
        self._own, self._own_pid = None, None

    def _client(self):
        """A connection of the limiter's own for its per-request call: taking one from the pool and
        giving it back on every request cost more than the call. Made on first use (Redis may be
        down when the limiter is built) and again in a forked child (a socket is never shared)."""
        if self._own is None or self._own_pid != os.getpid():
            self._own = type(self.redis)(connection_pool=self.redis.connection_pool, single_connection_client=True)
            self._own_pid = os.getpid()
        return self._own

    def _drop_client(self) -> None:
        own, self._own = self._own, None
        if own is not None and self._own_pid == os.getpid():
            with contextlib.suppress(Exception):
                own.close()  # back to the pool

    def _redis_usable(self) -> bool:
        return time.monotonic() >= self._redis_retry_at

    def _redis_failed(self, exc: Exception) -> None:
        # Redis down must not stop a manual "check connection": each process then paces itself,
        # and the CRM's 503 plus our retries absorb any excess. Redis is asked again only after
        # a pause, so every request does not pay a connect timeout.
        log.warning("Rate limiter Redis unavailable (%s); limiting within this process only for %d s",
                    exc, REDIS_RETRY_AFTER)
        self._redis_retry_at = time.monotonic() + REDIS_RETRY_AFTER

    def try_acquire(self, token: str) -> float:
        """0 and the request is granted now; otherwise the seconds to wait before asking again."""
        if not self._redis_usable():
            return self._fallback.try_acquire(token)
        try:
            wait_us = self._try(keys=[self.key, self.leases_key], args=[
                self.rate, _us(self.interval), _us(self.period), _us(IN_FLIGHT_SECONDS), _us(POLL_SECONDS), token],
                client=self._client())
        except Exception as exc:  # redis.RedisError and socket errors alike
            self._drop_client()
            self._redis_failed(exc)
            return self._fallback.try_acquire(token)
        return max(0, int(wait_us)) / 1_000_000

    def release(self, grant: Grant) -> None:
        self._fallback.release(grant)
        if not self._redis_usable():
            return
        try:
            self._release(keys=[self.leases_key], args=[_us(self.period), grant.token], client=self._client())
        except Exception as exc:
            self._drop_client()
            self._redis_failed(exc)

    def close(self) -> None:
        """The client is done: the limiter's connection goes back to the pool."""
        self._drop_client()

    def pause(self, seconds: float) -> None:
        seconds = min(max(float(seconds), 0.0), MAX_PAUSE)
        self._fallback.pause(seconds)
        if not self._redis_usable():
            return
        try:
            self._pause(keys=[self.key], args=[_us(seconds)])
        except Exception as exc:
            self._redis_failed(exc)

    def reset(self) -> None:
        """Forget the pacing state (tests, or after changing the rate)."""
        self.redis.delete(self.key, self.leases_key)
