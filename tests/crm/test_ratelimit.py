"""The shared limiter on a real Redis server: slot spacing, key hygiene, fallback."""

import logging
import threading
import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from integration.crm.ratelimit import LocalRateLimiter, RedisRateLimiter, key_fingerprint

API_KEY = "limiter-secret-key-0123456789"


def _slots(limiter, count, threads=1):
    """Reserve ``count`` slots from ``threads`` threads; return their absolute times, sorted."""
    slots, lock = [], threading.Lock()

    def work(n):
        for _ in range(n):
            start = time.monotonic()
            delay = limiter.acquire()
            with lock:
                slots.append(start + delay)

    workers = [threading.Thread(target=work, args=(count // threads,)) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sorted(slots)


def _assert_spacing(slots, rate, window, slack=0.02):
    # any `rate + 1` consecutive slots span at least one window → never more than `rate` per window;
    # `slack` absorbs the jitter of measuring Redis-clock slots with this process's clock
    for first, last in zip(slots, slots[rate:]):
        assert last - first >= window - slack, (first, last)


def test_it_hands_out_at_most_n_slots_per_window_through_redis(redis_connection):
    limiter = RedisRateLimiter(redis_connection, API_KEY, rate=5, period=0.2, margin=0.01)
    slots = _slots(limiter, 24, threads=4)
    _assert_spacing(slots, 5, 0.21)
    # and it does not wait longer than needed: 24 slots at 5 per 0.21 s fit in 4 windows
    assert slots[-1] - slots[0] < 4 * 0.21 + 0.05


def test_it_shares_the_budget_between_limiters_of_the_same_key_only(redis_connection):
    first = RedisRateLimiter(redis_connection, API_KEY, rate=3, period=10)
    second = RedisRateLimiter(redis_connection, API_KEY, rate=3, period=10)
    other = RedisRateLimiter(redis_connection, API_KEY + "-other", rate=3, period=10)
    assert [first.acquire(), second.acquire(), first.acquire()] == [0, 0, 0]
    assert second.acquire() > 9  # the fourth request of the key waits for the window
    assert other.acquire() == 0  # another key has its own budget


def test_it_never_puts_the_api_key_in_redis_key_names(redis_connection):
    RedisRateLimiter(redis_connection, API_KEY, rate=10).acquire()
    names = [name.decode() for name in redis_connection.keys("*")]
    assert names == ["retailcrm:ratelimit:" + key_fingerprint(API_KEY)]
    assert all(API_KEY not in name for name in names)
    assert redis_connection.pttl(names[0]) > 0  # idle keys expire on their own


def test_it_falls_back_to_limiting_in_process_when_redis_is_down(caplog):
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    limiter = RedisRateLimiter(dead, API_KEY, rate=2, period=10)
    with caplog.at_level(logging.WARNING, logger="integration.crm"):
        delays = [limiter.acquire() for _ in range(3)]
    assert delays[:2] == [0, 0] and delays[2] > 9
    assert "limiting within this process only" in caplog.text


def test_the_local_limiter_uses_the_same_rule():
    _assert_spacing(_slots(LocalRateLimiter(rate=4, period=0.1, margin=0.01), 20, threads=2), 4, 0.11, slack=0.001)


@pytest.mark.parametrize("rate", [0, 2.5, -1])
def test_it_rejects_a_nonsense_rate(redis_connection, rate):
    with pytest.raises(ValueError):
        RedisRateLimiter(redis_connection, API_KEY, rate=rate)
