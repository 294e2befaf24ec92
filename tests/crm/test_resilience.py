"""Throughput under faults and the per-key rate shared by separate worker processes."""

import json
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from .conftest import API_KEY, make_client

PROJECT_DIR = Path(__file__).resolve().parents[2]


def test_a_crm_answering_503_to_30_percent_still_answers_all_300_requests(sandbox):
    sandbox.set_faults(error_rate=0.3, status=503)
    with make_client(sandbox.url, max_retries=12, backoff=0.002) as crm:
        for i in range(300):
            if i % 5 == 4:
                crm.customer_create({"externalId": f"FLAKY-{i}", "firstName": "Flaky"})
            elif i % 5 == 3:
                assert crm.order(1001)["id"] == 1001
            else:
                assert crm.statuses()
        stats = crm.stats
    answered = stats.by_status.get(200, 0) + stats.by_status.get(201, 0)
    assert answered == 300
    assert stats.retries == stats.by_status[503] and 40 < stats.retries < 300  # ~130 expected
    assert stats.requests == 300 + stats.retries
    assert stats.backoff_seconds > 0
    # 503 means "refused before doing anything", so the retried creations made no duplicates
    sandbox.set_faults()
    with make_client(sandbox.url) as crm:
        flaky = [c for c in crm.iter_customers({"name": "Flaky"}) if c.get("externalId", "").startswith("FLAKY-")]
    assert len(flaky) == 60


def _start_worker(url, redis_url, count, rps):
    return subprocess.Popen(
        [sys.executable, "-m", "tests.crm.rate_worker", url, API_KEY, redis_url, str(count), str(rps)],
        cwd=PROJECT_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _go(worker):
    worker.stdin.write("go\n")
    worker.stdin.flush()


def _results(workers):
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def _stop(workers):
    for worker in workers:
        if worker.poll() is None:
            worker.kill()


def test_two_worker_processes_sharing_a_key_never_exceed_its_rate(sandbox):
    rps, per_worker = 10, 30
    sandbox.set_rps(rps)
    redis_url = settings.RQ_QUEUES["default"]["URL"]
    workers = [_start_worker(sandbox.url, redis_url, per_worker, rps) for _ in range(2)]
    try:
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
        started = time.monotonic()
        for worker in workers:
            _go(worker)
        results = _results(workers)
        elapsed = time.monotonic() - started
    finally:
        _stop(workers)

    seen = sandbox.rate_stats()[API_KEY]
    print("shared-rate run:", seen, f"{elapsed:.2f} s")
    assert seen["total"] == 2 * per_worker
    assert seen["max_per_second"] <= rps, seen  # as the server measured it, in any 1-second window
    assert seen["rejected_503"] == 0
    assert all(r["by_status"] == {"200": per_worker} and r["retries"] == 0 for r in results), results
    assert all(r["rate_limit_waits"] > 0 for r in results)  # both were held back by the shared budget
    arrivals = sandbox.app.rate.arrivals(API_KEY)
    # 60 requests paced at 10 per second: the window is full all the time, not in bursts
    assert all(last - first >= 1.0 for first, last in zip(arrivals, arrivals[rps:])), arrivals


def test_a_retry_after_from_the_crm_holds_back_the_other_process_too(sandbox):
    sandbox.set_rps(1000)
    redis_url = settings.RQ_QUEUES["default"]["URL"]
    refused, other = _start_worker(sandbox.url, redis_url, 1, 1000), _start_worker(sandbox.url, redis_url, 3, 1000)
    try:
        for worker in (refused, other):
            assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
        sandbox.set_faults(error_rate=1.0, status=429, retry_after=2)
        _go(refused)
        deadline = time.monotonic() + 20
        while not sandbox.app.rate.arrivals(API_KEY):  # the first process has been refused
            assert time.monotonic() < deadline, "the first worker sent nothing"
            time.sleep(0.01)
        time.sleep(0.1)  # its answer, and so its pause, has reached Redis
        sandbox.set_faults()
        _go(other)
        results = _results([refused, other])
    finally:
        _stop([refused, other])

    refused_at, *later = sandbox.app.rate.arrivals(API_KEY)
    assert len(later) == 1 + 3  # the refused request's retry and the other process's three
    # nothing of this key reached the CRM before the pause it asked for was over
    assert min(later) - refused_at >= 2.0, (refused_at, later)
    assert results[0]["by_status"] == {"429": 1, "200": 1} and results[0]["retries"] == 1
    assert results[1]["by_status"] == {"200": 3} and results[1]["rate_limit_waits"] >= 1
