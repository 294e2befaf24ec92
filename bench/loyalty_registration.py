"""Loyalty mass registration benchmark (G2): requests per customer and wall time against the rate bound.

    .venv/bin/python bench/loyalty_registration.py [--customers 300]

``--customers`` local customers (the mix of the tests: some already participants, some already
in the CRM, some without a phone, most new) are registered against the RetailCRM sandbox
limited to 10 requests/s, over real HTTP, on a fresh SQLite database and the embedded Redis.
The wall time is compared with the bound (requests / 10). A second run shows what an
idempotent rerun costs. Figures are merged into bench/results.json under "loyalty_registration".
"""

import argparse
import time

import common  # noqa: E402,F401  (Django set-up: must come first)


from django.core.management import call_command  # noqa: E402

ROOT = common.ROOT


def _prepare(server, customers: int):
    from integration import models as im
    from integration.exchange.jobs import run_inline
    from loyalty.models import LoyaltyProgram, LoyaltySettings, Participation
    from tests.loyalty.world import mixed_customers

    call_command("migrate", verbosity=0)
    Participation.objects.all().delete()
    for model in (im.Customer, im.ExchangeEvent, im.JobRun):
        model.objects.all().delete()
    row = im.CrmSettings.get_solo()
    row.crm_url, row.api_key, row.site_code, row.connection_ok = server.url, server.api_key, "main-shop", True
    row.loyalty_program = True
    row.save()
    run_inline("refresh-loyalty")
    LoyaltySettings.objects.update(program=LoyaltyProgram.objects.get(crm_id=1))
    return mixed_customers(server.state, total=customers)


def _register(server, ids):
    from integration.exchange.jobs import run_inline

    before = server.rate_stats().get(server.api_key, {}).get("total", 0)
    started = time.perf_counter()
    run = run_inline("register-loyalty", options={"customer_ids": ids})
    seconds = time.perf_counter() - started
    assert run.status in ("succeeded", "warnings"), (run.status, run.error, run.messages[-3:])
    return seconds, server.rate_stats()[server.api_key]["total"] - before, run.counts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=300)
    args = parser.parse_args()
    from django.conf import settings

    from sandbox.retailcrm.testing import SandboxServer

    with SandboxServer(seed="demo", rps=10) as server:
        settings.RETAILCRM_RATE_LIMIT_RPS = 10
        mix = _prepare(server, args.customers)
        seconds, requests_made, counts = _register(server, mix.all_ids)
        again_seconds, again_requests, again_counts = _register(server, mix.all_ids)
        rejected = server.rate_stats()[server.api_key]["rejected_503"]
    assert counts["created"] == len(mix.to_create) and again_counts.get("created", 0) == 0, (counts, again_counts)

    bound = requests_made / 10
    figures = {
        "customers": len(mix.all_ids),
        "accounts_created": counts["created"],
        "crm_customers_created": len(mix.new),
        "requests": requests_made,
        "requests_per_customer": round(requests_made / len(mix.all_ids), 3),
        "requests_per_account_created": round(requests_made / counts["created"], 3),
        "seconds": round(seconds, 3),
        "rate_bound_seconds": round(bound, 3),
        "rate_bound_ratio": round(seconds / bound, 3),
        "rerun_requests": again_requests,
        "rerun_seconds": round(again_seconds, 3),
        "rejected_503": rejected,
    }
    common.save_figures("loyalty_registration", figures)


if __name__ == "__main__":
    main()
