"""The shared pacer on a real Redis server: spacing, pauses, key hygiene, fallback."""

import logging
import os
import threading
import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from integration.exchange.http.ratelimit import LocalRateLimiter, RedisRateLimiter, key_fingerprint

API_KEY = "limiter-secret-key-0123456789"


def _grants(limiter, count, threads=1):
    """``count`` requests granted from ``threads`` threads; return the grant times, sorted."""
    grants, lock = [], threading.Lock()

    def work(n):
        for _ in range(n):
            grant = limiter.acquire()
            with lock:
                grants.append(time.monotonic())
            limiter.release(grant)

    workers = [threading.Thread(target=work, args=(count // threads,)) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sorted(grants)


def _assert_at_most(grants, rate, window, slack=0.005):
    # any `rate + 1` consecutive grants span at least one window → never more than `rate` in a window;
    # `slack` absorbs the jitter of reading this process's clock after a Redis-clock grant
    for first, last in zip(grants, grants[rate:]):
        assert last - first >= window - slack, (first, last)


def test_it_spaces_requests_from_several_threads_through_redis(redis_connection):
    limiter = RedisRateLimiter(redis_connection, API_KEY, rate=5, period=0.2, margin=0.01)
    grants = _grants(limiter, 24, threads=4)
    _assert_at_most(grants, 5, 0.21)
    # evenly, not in bursts: the typical gap is the spacing (a thread the OS delays before it records
    # its grant can shorten one observed gap, so the median is judged, not every gap)
    gaps = sorted(b - a for a, b in zip(grants, grants[1:]))
    assert gaps[len(gaps) // 2] >= 0.042 - 0.005, gaps


def test_it_grants_only_now_and_never_reserves_ahead(redis_connection):
    limiter = RedisRateLimiter(redis_connection, API_KEY, rate=1, period=10, margin=0)
    assert limiter.try_acquire("first") == 0
    # asking again is not a reservation: the answer stays "wait about 10 s", however often it is asked
    waits = [limiter.try_acquire(f"next-{n}") for n in range(5)]
    assert all(9 < wait <= 10 for wait in waits), waits
    assert waits == sorted(waits, reverse=True)


@pytest.mark.parametrize("make", [
    lambda redis_connection: RedisRateLimiter(redis_connection, API_KEY, rate=2, period=0.5),
    lambda redis_connection: LocalRateLimiter(rate=2, period=0.5),
], ids=["redis", "local"])
def test_a_request_counts_until_one_period_after_its_answer(redis_connection, make):
    limiter = make(redis_connection)
    first, second = limiter.acquire(), limiter.acquire()
    time.sleep(0.6)  # spacing and any window measured from the grants are long over
    # both still in flight: the CRM may count them whenever they arrive, so a third must wait
    assert 0 < limiter.try_acquire("third") <= 0.01
    limiter.release(first)
    assert 0.45 < limiter.try_acquire("third") <= 0.5  # one period after the first answer
    limiter.release(second)
    time.sleep(0.5)
    assert limiter.try_acquire("third") == 0



def test_a_release_reaches_every_other_process_at_once_even_from_a_client_left_open(redis_connection):
    # an idle client that is never closed must not keep its leases looking in flight to the others
    mine = RedisRateLimiter(redis_connection, API_KEY, rate=2, period=0.5)
    other = RedisRateLimiter(redis_connection, API_KEY, rate=2, period=0.5)  # another process's
    first, second = mine.acquire(), mine.acquire()
    mine.release(first)
    mine.release(second)
    time.sleep(0.3)
    assert 0.1 < other.try_acquire("theirs") <= 0.2  # both lapse one period after their answers


def test_it_shares_the_budget_between_limiters_of_the_same_key_only(redis_connection):
    first = RedisRateLimiter(redis_connection, API_KEY, rate=3, period=10, margin=0)
    second = RedisRateLimiter(redis_connection, API_KEY, rate=3, period=10, margin=0)
    other = RedisRateLimiter(redis_connection, API_KEY + "-other", rate=3, period=10, margin=0)
    assert first.try_acquire("a") == 0
    assert second.try_acquire("b") > 3  # the key's next request waits a third of the period
    assert other.try_acquire("c") == 0  # another key has its own budget


def test_a_pause_holds_back_every_limiter_of_the_key(redis_connection):
    first = RedisRateLimiter(redis_connection, API_KEY, rate=10)
    second = RedisRateLimiter(redis_connection, API_KEY, rate=10)
    first.pause(20)
    assert 19 < second.try_acquire("a") <= 20
    first.pause(5)  # a shorter pause never shortens a longer one
    assert 19 < second.try_acquire("a") <= 20


def test_it_never_puts_the_api_key_in_redis_key_names(redis_connection):
    RedisRateLimiter(redis_connection, API_KEY, rate=10).acquire()
    names = [name.decode() for name in redis_connection.keys("*")]
    assert sorted(names) == ["retailcrm:ratelimit:" + key_fingerprint(API_KEY),
                             "retailcrm:ratelimit:" + key_fingerprint(API_KEY) + ":leases"]
    assert all(API_KEY not in name for name in names)
    assert all(redis_connection.pttl(name) > 0 for name in names)  # idle keys expire on their own


def test_it_falls_back_to_limiting_in_process_when_redis_is_down(caplog):
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    limiter = RedisRateLimiter(dead, API_KEY, rate=2, period=10, margin=0)
    with caplog.at_level(logging.WARNING, logger="integration.retailcrm.client"):
        waits = [limiter.try_acquire(token) for token in "ab"]
    assert waits[0] == 0 and waits[1] > 4
    assert "limiting within this process only" in caplog.text


def test_the_local_limiter_uses_the_same_rule():
    limiter = LocalRateLimiter(rate=4, period=0.1, margin=0.01)
    _assert_at_most(_grants(limiter, 20, threads=2), 4, 0.11, slack=0.001)
    limiter.pause(30)
    assert limiter.try_acquire("later") > 29


@pytest.mark.parametrize("rate", [0, 2.5, -1])
def test_it_rejects_a_nonsense_rate(redis_connection, rate):
    with pytest.raises(ValueError):
        RedisRateLimiter(redis_connection, API_KEY, rate=rate)


def test_a_forked_child_never_hands_out_its_parents_grant_tokens():
    # RQ runs every job in a child forked from the worker; equal tokens would overwrite a held lease
    limiter = LocalRateLimiter(rate=1000)
    parent = [limiter.acquire().token for _ in range(3)]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its first tokens and leave at once
        os.write(write, " ".join(limiter.acquire().token for _ in range(3)).encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child = os.read(read, 4096).decode().split()
    assert len(child) == 3 and not set(child) & set(parent + [limiter.acquire().token for _ in range(3)])
