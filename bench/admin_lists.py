"""Admin change lists at 100,000 rows (issue 16): orders and products, render time and queries.

    .venv/bin/python bench/admin_lists.py [--rows 100000] [--repeat 7]

Runs itself twice, in child processes: on SQLite (a fresh file) and on PostgreSQL
(``postgres://postgres@127.0.0.1:5432/bo_logsui``, dropped and created again; set
``ADMIN_LISTS_PG_URL`` to use another). Each child fills the tables with 100 rows, renders the
order and product change lists (the first page, as an operator opens them) through Django's test
client, then bulk-creates rows up to ``--rows`` and renders them again. Figures: the fastest and
the median render time of each, their ratios (target ≤ 3) and the queries of one render (the same
at both sizes).
They go to bench/results.json under ``admin_lists``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

SMALL = 100
PG_URL = os.environ.get("ADMIN_LISTS_PG_URL", "postgres://postgres@127.0.0.1:5432/bo_logsui")
PAGES = {"orders": "/admin/integration/order/", "products": "/admin/catalog/product/"}


def _fill(rows: int) -> None:
    """Orders (with customers, states and shops) and products (with groups and units) up to ``rows`` each."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from catalog.models import Product, ProductGroup, Unit
    from integration.models import Customer, Order, OrderState

    states = list(OrderState.objects.all()) or [OrderState.objects.create(code="new", name="New")]
    units = [Unit.objects.get_or_create(code=code, defaults={"name": code, "symbol": code})[0] for code in ("pc", "kg")]
    groups = list(ProductGroup.objects.all()[:20])
    if not groups:
        groups = [ProductGroup.objects.create(name=f"Group {n}", code=f"G{n}") for n in range(20)]
    customers = list(Customer.objects.all()[:500])
    if not customers:
        customers = Customer.objects.bulk_create(
            [Customer(last_name=f"Customer {n}", phone=f"+7900{n:07d}", crm_id=n + 1) for n in range(500)])
    now, step = timezone.now(), 10_000
    have = Order.objects.count()
    for start in range(have, rows, step):
        Order.objects.bulk_create([
            Order(number=f"B-{n:07d}", date=now - timedelta(minutes=n), crm_id=n + 1, crm_number=f"{n}A",
                  crm_site="main-shop", crm_status="new", state=states[n % len(states)],
                  customer=customers[n % len(customers)], total=Decimal(n % 9000) + Decimal("0.50"),
                  closed=n % 5 == 0, cancelled=n % 17 == 0)
            for n in range(start, min(start + step, rows))], batch_size=2000)
    have = Product.objects.count()
    for start in range(have, rows, step):
        Product.objects.bulk_create([
            Product(code=f"SKU-{n:07d}", article=f"A{n}", name=f"Bench item {n:07d}", group=groups[n % len(groups)],
                    unit=units[n % 2], vat_rate="20")
            for n in range(start, min(start + step, rows))], batch_size=2000)


def _render(client, url: str, repeat: int) -> tuple[float, float, int]:
    """Fastest and median seconds of ``repeat`` renders (after a warm-up), and the queries of one.

    The ratio uses the fastest render: on a machine shared with other work the median carries
    their noise (both are reported)."""
    from django.db import connection

    client.get(url)  # warm-up: templates compiled, the settings row created
    queries = []
    with connection.execute_wrapper(lambda execute, sql, params, many, context: (queries.append(sql),
                                                                                 execute(sql, params, many, context))[1]):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        timings.append(time.perf_counter() - started)
    return min(timings), statistics.median(timings), len(queries)


def measure(rows: int, repeat: int) -> dict:
    import common  # noqa: F401  (Django set-up)

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-pw-123")
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    figures = {"vendor": connection.vendor, "rows_small": SMALL, "rows_large": rows}
    _fill(SMALL)
    small = {name: _render(client, url, repeat) for name, url in PAGES.items()}
    started = time.perf_counter()
    _fill(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    figures["fill_seconds"] = round(time.perf_counter() - started, 1)
    large = {name: _render(client, url, repeat) for name, url in PAGES.items()}
    for name in PAGES:
        (t_small, m_small, q_small), (t_large, m_large, q_large) = small[name], large[name]
        figures[name] = {
            "ms_small": round(t_small * 1000, 1), "ms_large": round(t_large * 1000, 1),
            "ms_small_median": round(m_small * 1000, 1), "ms_large_median": round(m_large * 1000, 1),
            "ratio": round(t_large / t_small, 2), "ratio_median": round(m_large / m_small, 2),
            "queries_small": q_small, "queries_large": q_large,
        }
    figures["target_ratio_max"] = 3
    figures["meets_target"] = all(figures[name]["ratio"] <= 3 for name in PAGES)
    return figures


def _recreate_pg_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _child(backend: str, rows: int, repeat: int) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "VAR_DIR")}
    if backend == "postgresql":
        _recreate_pg_database(PG_URL)
        env["DATABASE_URL"] = PG_URL
    out = subprocess.run([sys.executable, __file__, "--child", "--rows", str(rows), "--repeat", str(repeat)],
                         env=env, check=True, capture_output=True, text=True, cwd=os.path.dirname(__file__))
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="measure one database only")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.rows, args.repeat)))
        return
    figures = {backend: _child(backend, args.rows, args.repeat)
               for backend in (("sqlite", "postgresql") if args.only is None else (args.only,))}
    import common

    common.save_figures("admin_lists", figures)


if __name__ == "__main__":
    main()
