"""BonusPlus benchmark (H3–H5): requests per order through the whole flow, p95 of the calculation page.

    .venv/bin/python bench/bonusplus.py [--orders 20] [--renders 60]

Against the BonusPlus emulator in a child process over real HTTP, on a fresh SQLite database and
the embedded Redis: ``--orders`` orders of three lines each go find → calculate → apply → post
(reserve) → sale → post (purchase), counted by our client: find 1, calculate 1, apply 1, reserve 1,
release 1, purchase 1 (the card is read again only after an unclear answer, or when its last read
is older than assumptions.CARD_EVIDENCE_MAX_AGE_SECONDS; neither happens here). Then the order
window's "Calculate" (one POST through the admin, the release check and one ``retail/calc``) is
timed ``--renders`` times. Figures are merged into bench/results.json under "bonusplus".
"""

import argparse
import statistics
import time
from decimal import Decimal

import common  # noqa: E402,F401  (Django set-up: must come first)

from django.core.management import call_command  # noqa: E402


def _order(i, products, state):
    from integration.documents.models.orders import Order, OrderLine

    order = Order.objects.create(number=f"BP-{i:05d}", source=Order.Source.LOCAL, state=state, total=Decimal("8160"))
    for product, price in zip(products, ("3000.00", "3120.00", "2040.00")):
        OrderLine.objects.create(order=order, product=product, quantity=1, price=Decimal(price), amount=Decimal(price))
    return order


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=20)
    parser.add_argument("--renders", type=int, default=60)
    args = parser.parse_args()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from catalog.models import Product, ProductGroup
    from integration.documents import posting
    from integration.documents.models.orders import Sale
    from integration.documents.models.states import OrderState
    from loyalty.bonusplus import order_calc, purchase, reserve
    from loyalty.bonusplus.factory import client_from_settings
    from loyalty.bonusplus.models import BonusPlusSettings, Cashier
    from sandbox.bonusplus.testing import BonusPlusProcess

    call_command("migrate", verbosity=0)
    settings.BONUSPLUS_RATE_LIMIT_RPS = 1000
    settings.ALLOWED_HOSTS = ["*"]
    group = ProductGroup.objects.create(code="fans", name="Fans")
    products = [Product.objects.create(code=f"BPF{i}", name=f"Fan {i}", group=group) for i in range(3)]
    state = OrderState.objects.order_by("pk").first()
    with BonusPlusProcess(seed="empty") as bp:
        row = BonusPlusSettings.get_solo()
        row.base_url, row.api_key, row.store, row.sms_required = bp.api_url, bp.api_key, "Main", False
        row.save()
        phones = [f"7999{i:07d}" for i in range(args.orders)]
        bp.add_customers(*[{"phone": p, "card": f"20{i:011d}", "bonuses": 500} for i, p in enumerate(phones)])
        per_order = []
        with client_from_settings() as client:
            for i, phone in enumerate(phones):
                order = _order(i, products, state)
                before = client.requests_sent
                found = order_calc.find(client, card=f"20{i:011d}")
                order_calc.remember_card(order.pk, found.customer, card=found.card)
                order_calc.calculate(client, order.pk, row.store)
                order_calc.apply(client, order.pk, row.store, use_bonuses=True, requested=Decimal("100"))
                posting.post(order)
                reserve.sync(client, order.pk)
                sale = Sale.objects.create(order=order, number=f"S-{i:05d}", total=order.total, posted=False)
                purchase.register(client, sale.pk)
                per_order.append(client.requests_sent - before)
        assert len(bp.snapshot()["purchases"]) == args.orders

        user = get_user_model().objects.create_superuser("bench", "bench@example.com", "pw-bench-123")
        Cashier.objects.create(user=user, code="1")
        browser = Client()
        browser.force_login(user)
        url = reverse("admin:bonusplus_order_window", args=[order.pk])
        timings = []
        for _ in range(args.renders):
            started = time.perf_counter()
            page = browser.post(url, {"action": "calculate", "step": "calc"})
            timings.append((time.perf_counter() - started) * 1000)
            assert page.status_code == 200
    timings.sort()
    figures = {
        "orders": args.orders,
        "requests_per_order": round(statistics.mean(per_order), 2),
        "requests_per_order_max": max(per_order),
        "requests_per_order_target": 6,
        "calc_page_renders": args.renders,
        "calc_page_p50_ms": round(timings[len(timings) // 2], 1),
        "calc_page_p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
        "calc_page_p95_target_ms": 300,
    }
    common.save_figures("bonusplus", figures)


if __name__ == "__main__":
    main()
