"""A small deterministic demo catalog: groups, products with characteristics, prices, stock in 3 warehouses."""

import random
from decimal import Decimal

from django.db import transaction

from catalog.models import (
    Characteristic,
    Organization,
    Price,
    PriceType,
    Product,
    ProductGroup,
    StockBalance,
    Unit,
    Warehouse,
)

GROUPS = {
    "Food": ["Dairy", "Bakery", "Sweets"],
    "Clothes": ["T-shirts", "Shoes"],
    "Services": [],
}
SIZES = ["S", "M", "L"]


@transaction.atomic
def seed_demo_catalog(products_per_group: int = 8) -> dict[str, int]:
    """Create the demo catalog once; a second call changes nothing."""
    if Product.objects.filter(code__startswith="DEMO-").exists():
        return {"products": Product.objects.filter(code__startswith="DEMO-").count()}
    rng = random.Random(7)
    piece, _ = Unit.objects.get_or_create(code="pc", defaults={"name": "Piece", "symbol": "pc"})
    warehouses = [
        Warehouse.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in (("main", "Main warehouse"), ("north", "North warehouse"), ("shop", "Shop floor"))
    ]
    retail = PriceType.objects.get_or_create(code="retail", defaults={"name": "Retail"})[0]
    wholesale = PriceType.objects.get_or_create(code="wholesale", defaults={"name": "Wholesale"})[0]
    purchase = PriceType.objects.get_or_create(code="purchase", defaults={"name": "Purchase"})[0]
    Organization.objects.get_or_create(name="Demo Trading LLC", defaults={"inn": "7701234567"})

    number = 0
    for root_name, children in GROUPS.items():
        root = ProductGroup.objects.create(name=root_name, code=root_name.lower())
        for group in [ProductGroup.objects.create(name=child, code=child.lower(), parent=root) for child in children] or [root]:
            for _ in range(products_per_group):
                number += 1
                is_service = root_name == "Services"
                product = Product.objects.create(
                    code=f"DEMO-{number:04d}", article=f"ART-{number:04d}",
                    name=f"{group.name} item {number}", full_name=f"{group.name} item {number}, demo",
                    kind=Product.Kind.SERVICE if is_service else Product.Kind.GOODS, group=group, unit=piece,
                    vat_rate="20", barcode=f"46{number:011d}", vendor="Demo vendor",
                    weight=None if is_service else Decimal(rng.randint(100, 2000)),
                )
                base = Decimal(rng.randint(50, 5000))
                variants = [None]
                if root_name == "Clothes":
                    variants = [Characteristic.objects.create(product=product, name=size) for size in SIZES]
                for variant in variants:
                    for price_type, factor in ((retail, Decimal("1")), (wholesale, Decimal("0.85")), (purchase, Decimal("0.6"))):
                        Price.objects.create(product=product, characteristic=variant, price_type=price_type, price=(base * factor).quantize(Decimal("0.01")))
                    if not is_service:
                        for warehouse in warehouses:
                            StockBalance.objects.create(product=product, characteristic=variant, warehouse=warehouse, quantity=rng.randint(0, 40))
    return {"products": number}
