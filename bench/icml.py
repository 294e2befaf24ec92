"""ICML benchmark (DESIGN §6): 100,000 offers, our streaming writer against the same document built in memory.

    .venv/bin/python bench/icml.py [--offers 100000]

A fresh SQLite file database gets a synthetic catalog (bulk_create): 60 groups, products with
and without characteristics (three each), a sale and a purchase price per offer and stock in
three warehouses. Both contestants read the catalog through the same chunked source
(catalog/icml/source.py) and build each offer with the same function, so the difference is
only in how the document is written:

* ours — ``catalog.icml.service.generate``: lxml ``xmlfile`` streaming into a temp file, then rename;
* baseline — every offer appended to one ``etree.Element`` tree, then ``ElementTree.write``.

Each measurement runs in a fresh process, so one run's memory high-water mark never hides
another's. Time is measured without tracing; memory twice: the process's peak RSS growth
(counts libxml2's own allocations, which tracemalloc cannot see — the in-memory tree lives
there) and tracemalloc's peak (Python objects only); ``peak_mb`` is the larger of the two and
``memory_ratio`` compares those.
Figures are merged into bench/results.json under ``icml``.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import common  # noqa: E402,F401  (Django set-up: must come first)


ROOT = common.ROOT
VARIANT_SIZE = 3


def build_catalog(offers: int) -> dict:
    """A synthetic catalog of exactly ``offers`` offers; a quarter of them are characteristics."""
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import transaction

    from catalog.models import Characteristic, Price, PriceType, Product, ProductGroup, StockBalance, Unit, Warehouse

    call_command("migrate", verbosity=0)
    unit = Unit.objects.create(code="pc", name="Piece", symbol="pc")
    retail = PriceType.objects.create(code="retail", name="Retail")
    purchase = PriceType.objects.create(code="purchase", name="Purchase")
    warehouses = [Warehouse.objects.create(code=f"w{n}", name=f"Warehouse {n}") for n in range(3)]
    roots = [ProductGroup.objects.create(name=f"Root {n}") for n in range(6)]
    groups = [ProductGroup.objects.create(name=f"Group {r}.{n}", parent=root) for r, root in enumerate(roots) for n in range(9)]
    groups += roots
    with_variants = offers // 4 // VARIANT_SIZE
    plain = offers - with_variants * VARIANT_SIZE
    with transaction.atomic():
        Product.objects.bulk_create((
            Product(code=f"P{n:07d}", article=f"A-{n:07d}", name=f"Product {n} <special> & \"quoted\"",
                    group=groups[n % len(groups)], unit=unit, vat_rate="20", barcode=f"46{n:011d}", vendor="Vendor",
                    weight=Decimal(100 + n % 900), kind=Product.Kind.SERVICE if n % 50 == 0 else Product.Kind.GOODS)
            for n in range(plain + with_variants)), batch_size=5000)
        product_ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))
        Characteristic.objects.bulk_create((
            Characteristic(product_id=pk, name=size) for pk in product_ids[plain:] for size in ("S", "M", "L")), batch_size=5000)
        variants = list(Characteristic.objects.values_list("product_id", "pk"))
        units = [(pk, None) for pk in product_ids[:plain]] + variants
        Price.objects.bulk_create((
            Price(product_id=pk, characteristic_id=variant, price_type=price_type, price=Decimal(100 + pk % 1000) * factor)
            for pk, variant in units for price_type, factor in ((retail, 1), (purchase, Decimal("0.6")))), batch_size=5000)
        StockBalance.objects.bulk_create((
            StockBalance(product_id=pk, characteristic_id=variant, warehouse=warehouse, quantity=(pk + w) % 40)
            for pk, variant in units for w, warehouse in enumerate(warehouses)), batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:  # the measured runs must not pay for the bulk load's WAL
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"retail": retail.pk, "purchase": purchase.pk, "offers": len(units), "small_group": roots[0].pk}


def spec(ids: dict, path: Path):
    from catalog.icml.spec import CatalogSpec

    return CatalogSpec(path=path, shop="bench", shop_name="Bench shop", company="Bench LLC",
                       sale_price_type_id=ids["retail"], purchase_price_type_id=ids["purchase"])


def write_in_memory(catalog_spec) -> int:
    """The baseline: the whole document as one lxml tree, then written out."""
    from django.utils import timezone
    from django.utils.translation import gettext as _
    from lxml import etree

    from catalog.icml import source
    from catalog.icml.writer import build_offer, category_element

    root = etree.Element("yml_catalog", date=timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"))
    shop = etree.SubElement(root, "shop")
    etree.SubElement(shop, "name").text = catalog_spec.shop_name
    etree.SubElement(shop, "company").text = catalog_spec.company
    categories = source.categories(catalog_spec)
    container = etree.SubElement(shop, "categories")
    for category in categories:
        container.append(category_element(category))
    container = etree.SubElement(shop, "offers")
    label = _("Article")
    count = 0
    for offer in source.offers(catalog_spec, {c.id for c in categories}):
        container.append(build_offer(offer, label))
        count += 1
    with open(catalog_spec.path, "wb") as handle:
        etree.ElementTree(root).write(handle, encoding="UTF-8", xml_declaration=True)
    return count


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise LookupError(field)


def reset_peak_rss() -> float:
    """Reset the process's RSS high-water mark (Linux ≥ 4.0) and return the current RSS.

    ``ru_maxrss`` cannot be used: Linux keeps it across fork+exec, so a child would report
    the parent's peak (the parent holds the freshly built catalog)."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    return _status_mb("VmRSS")


def measure(variant: str, ids: dict, out_dir: Path, traced: bool) -> dict:
    """One contestant in this (fresh) process: a warm-up on one small group (imports, query
    compilation, caches), then a timed run with its RSS growth, then a traced run."""
    from dataclasses import replace

    from catalog.icml.service import generate, peak_memory

    catalog_spec = spec(ids, out_dir / f"{variant}.xml")
    write = generate if variant == "ours" else write_in_memory
    write(replace(catalog_spec, group_ids=(ids["small_group"],)))
    run = (lambda: generate(catalog_spec).offers) if variant == "ours" else (lambda: write_in_memory(catalog_spec))
    before = reset_peak_rss()
    started = time.perf_counter()
    offers = run()
    seconds = time.perf_counter() - started
    peak_rss = _status_mb("VmHWM")
    size = catalog_spec.path.stat().st_size
    traced_peak = None
    if traced:  # tracing slows allocation down: never in the timed run
        with peak_memory() as memory:
            run()
        traced_peak = memory["peak_mb"]
    return {"offers": offers, "seconds": seconds, "rss_growth_mb": max(peak_rss - before, 0.0),
            "traced_peak_mb": traced_peak, "bytes": size}


def run_child(variant: str, ids: dict, traced: bool) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--measure", variant, "--ids", json.dumps(ids)] + (["--traced"] if traced else []),
        check=True, capture_output=True, text=True, env=os.environ.copy(),
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--measure", choices=["ours", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--ids", help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, json.loads(args.ids), Path(os.environ["VAR_DIR"]), args.traced)))
        return

    started = time.perf_counter()
    ids = build_catalog(args.offers)
    print(f"catalog of {ids['offers']} offers built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    runs = {"ours": [], "baseline": []}
    # The machine is shared: alternate the order, take each contestant's fastest round.
    for round_number in range(args.rounds):
        for variant in ("ours", "baseline") if round_number % 2 == 0 else ("baseline", "ours"):
            runs[variant].append(run_child(variant, ids, traced=round_number == 0))
            print(variant, runs[variant][-1], file=sys.stderr)
    best = {variant: min(results, key=lambda r: r["seconds"]) for variant, results in runs.items()}
    ours, baseline = best["ours"], best["baseline"]
    assert ours["offers"] == baseline["offers"] == ids["offers"], (ours, baseline)
    figures = {
        "offers": ours["offers"],
        "file_mb": round(ours["bytes"] / 2**20, 1),
        "seconds": round(ours["seconds"], 3),
        "baseline_seconds": round(baseline["seconds"], 3),
        "time_ratio": round(ours["seconds"] / baseline["seconds"], 3),
        # Peak growth per run = the larger of the two views (RSS sees libxml2, tracemalloc sees Python
        # objects that may fit into memory the process already had).
        "rss_growth_mb": round(max(r["rss_growth_mb"] for r in runs["ours"]), 1),
        "baseline_rss_growth_mb": round(min(r["rss_growth_mb"] for r in runs["baseline"]), 1),
        "traced_peak_mb": runs["ours"][0]["traced_peak_mb"],
        "baseline_traced_peak_mb": runs["baseline"][0]["traced_peak_mb"],
        "rounds": args.rounds,
    }
    figures["peak_mb"] = max(figures["rss_growth_mb"], figures["traced_peak_mb"])
    figures["baseline_peak_mb"] = max(figures["baseline_rss_growth_mb"], figures["baseline_traced_peak_mb"])
    figures["memory_ratio"] = round(figures["peak_mb"] / figures["baseline_peak_mb"], 3)
    if not os.environ.get("KEEP_VAR_DIR"):
        shutil.rmtree(os.environ["VAR_DIR"], ignore_errors=True)
    common.save_figures("icml", figures)


if __name__ == "__main__":
    main()
