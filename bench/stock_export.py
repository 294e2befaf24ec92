"""Stock export benchmark (D1): 100,000 offers against the sandbox at 10 requests/s.

    .venv/bin/python bench/stock_export.py [--offers 100000]

A fresh SQLite database and the embedded Redis; the sandbox (``python -m sandbox.retailcrm``)
runs in its own process, as RetailCRM would, and knows every offer. Three runs:
(1) full upload with no rate limit anywhere: our own processing time; (2) two consecutive full
uploads with the sandbox and our client at 10 requests/s: wall time against the bound
requests / 10, requests against the minimum, 503s (the top-level figures are the worse of the
two, ``rate_limited_runs`` has both); (3) a delta run after 1 % of the stock rows changed. Figures go to bench/results.json under
``stock_export``.
"""

import argparse
import math
import time

import common  # noqa: E402,F401  (Django set-up: must come first)


from django.core.management import call_command  # noqa: E402

from sandbox.retailcrm.testing import SandboxProcess  # noqa: E402

ROOT = common.ROOT
WAREHOUSES = {"main": "main", "north": "north", "shop-floor": "shop"}


def _catalog(offers: int) -> None:
    """``offers`` products (no characteristics) with stock in two of three warehouses and a purchase price."""
    from catalog.models import Price, PriceType, Product, StockBalance, Warehouse

    call_command("migrate", verbosity=0)
    warehouses = {code: Warehouse.objects.get_or_create(code=code, defaults={"name": code})[0] for code in WAREHOUSES.values()}
    purchase = PriceType.objects.get_or_create(code="purchase", defaults={"name": "Purchase"})[0]
    step = 5000
    for start in range(0, offers, step):
        products = Product.objects.bulk_create(
            [Product(code=f"SKU-{n:06d}", name=f"Bench item {n}") for n in range(start, min(start + step, offers))])
        StockBalance.objects.bulk_create(
            [StockBalance(product=p, warehouse=warehouses[code], quantity=(p.pk * 7 + i) % 50)
             for p in products for i, code in enumerate(("main", "north"))])
        Price.objects.bulk_create([Price(product=p, price_type=purchase, price=10 + p.pk % 900) for p in products])


def _connect(server) -> None:
    from catalog.models import PriceType, Warehouse
    from integration import models as im
    from integration.exchange.jobs import run_inline

    row = im.CrmSettings.get_solo()
    row.crm_url, row.api_key, row.site_code, row.connection_ok = server.url, server.api_key, "main-shop", True
    row.purchase_price_type = PriceType.objects.get(code="purchase")
    row.save()
    run_inline("sync-references")
    for crm_code, local in WAREHOUSES.items():
        im.WarehouseMapping.objects.get_or_create(crm_store=im.CrmStore.objects.get(code=crm_code),
                                                  defaults={"warehouse": Warehouse.objects.get(code=local)})


class ExternalSandbox(SandboxProcess):
    def add_offers(self, offers: list[dict]) -> None:
        for start in range(0, len(offers), 20_000):
            self.post("/sandbox/offers", {"offers": offers[start:start + 20_000]})

    def state(self) -> dict:
        return self.snapshot()


def _teach_sandbox(server, offers: int) -> None:
    """The CRM's catalog, as the ICML load would leave it (the operator endpoint, 20,000 offers a call)."""
    server.add_offers([{"externalId": f"SKU-{n:06d}", "name": f"Bench item {n}", "site": "main-shop"}
                       for n in range(offers)])


def _run(server, **options):
    from integration.exchange.jobs import run_inline

    before = server.rate_stats().get(server.api_key, {}).get("total", 0)
    started = time.perf_counter()
    run = run_inline("export-stock", options=options)
    seconds = time.perf_counter() - started
    assert run.status == "succeeded", (run.status, run.error, run.messages[-3:])
    return seconds, server.rate_stats()[server.api_key]["total"] - before, run.counts


def _quiet_limiter(api_key: str) -> None:
    """Forget the unlimited run's send times: at 10/s they would space the first requests wrongly."""
    import django_rq

    from integration.exchange.http.ratelimit import RedisRateLimiter

    RedisRateLimiter(django_rq.get_connection("default"), api_key).reset()


def _change_one_percent(offers: int) -> int:
    from catalog.models import StockBalance

    changed = StockBalance.objects.filter(warehouse__code="main").order_by("id")[: offers // 100]
    ids = list(changed.values_list("id", flat=True))
    StockBalance.objects.filter(id__in=ids).update(quantity=999)
    return len(ids)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--offers", type=int, default=100_000)
    args = parser.parse_args()
    from django.conf import settings

    from integration.models import OfferExportState

    figures = {"offers": args.offers, "minimal_requests": math.ceil(args.offers / 250)}
    t0 = time.perf_counter()
    _catalog(args.offers)
    figures["catalog_setup_seconds"] = round(time.perf_counter() - t0, 1)

    with ExternalSandbox(rps=10) as server:
        t0 = time.perf_counter()
        _teach_sandbox(server, args.offers)
        figures["sandbox_setup_seconds"] = round(time.perf_counter() - t0, 1)
        _connect(server)

        server.set_rps(1_000_000)
        settings.RETAILCRM_RATE_LIMIT_RPS = 1_000_000
        seconds, requests_made, _counts = _run(server, full=True)
        figures["unlimited_seconds"] = round(seconds, 2)
        figures["unlimited_requests"] = requests_made

        runs = []
        for _round in range(2):  # two consecutive full uploads: the pacing must hold every time
            OfferExportState.objects.all().delete()
            _quiet_limiter(server.api_key)
            server.set_rps(10)
            settings.RETAILCRM_RATE_LIMIT_RPS = 10
            time.sleep(1.2)  # the previous run's requests leave the CRM's window
            seconds, requests_made, counts = _run(server, full=True)
            assert counts["accepted"] == args.offers, counts
            runs.append({"seconds": round(seconds, 2), "requests": requests_made,
                         "rejected_503": server.rate_stats()[server.api_key]["rejected_503"],
                         "max_per_second_seen": server.rate_stats()[server.api_key]["max_per_second"],
                         "rate_bound_ratio": round(seconds / (requests_made / 10), 3)})
        figures["rate_limited_runs"] = runs
        figures["seconds"] = max(run["seconds"] for run in runs)
        figures["requests"] = max(run["requests"] for run in runs)
        figures["offers_sent"] = counts["sent"]
        figures["rate_bound_seconds"] = figures["requests"] / 10
        figures["rate_bound_ratio"] = max(run["rate_bound_ratio"] for run in runs)
        figures["rejected_503"] = max(run["rejected_503"] for run in runs)

        changed = _change_one_percent(args.offers)
        seconds, requests_made, counts = _run(server)
        figures["delta_changed_offers"] = changed
        figures["delta_offers_sent"] = counts["sent"]
        figures["delta_requests"] = requests_made
        figures["delta_seconds"] = round(seconds, 2)
        stock = server.state()["stock"]["main-shop"]["SKU-000000"]
        assert stock["main"]["quantity"] == 999, stock

    common.save_figures("stock_export", figures)


if __name__ == "__main__":
    main()
