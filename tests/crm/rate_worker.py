"""One worker process for the shared-rate tests: waits for "go" on stdin, then hammers the sandbox.

Run as ``python -m tests.crm.rate_worker URL API_KEY REDIS_URL COUNT RPS``; prints "ready", then
the client's stats as JSON. Uses no Django, like an RQ worker's client would not need to.
"""

import json
import sys

import redis

from integration.retailcrm.client import RedisRateLimiter, RetailCrmClient


def main(url, api_key, redis_url, count, rps):
    limiter = RedisRateLimiter(redis.Redis.from_url(redis_url), api_key, rate=int(rps))
    with RetailCrmClient(url, api_key, rate_limiter=limiter, max_retries=3, backoff=0.05) as client:
        print("ready", flush=True)
        sys.stdin.readline()
        for _ in range(int(count)):
            client.api_versions()
        print(json.dumps(client.stats.as_dict()), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:6])
