"""A small deterministic demo catalog: groups, products with characteristics, prices, stock in 3 warehouses."""

import random
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import pgettext

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
    "food": ["dairy", "bakery", "sweets"],
    "clothes": ["t-shirts", "shoes"],
    "services": [],
}
SIZES = ["S", "M", "L"]


def _words() -> dict[str, str]:
    """The demo's names in the active language: a Russian operator's demo has Russian warehouses and goods."""
    return {
        "food": pgettext("demo data", "Food"), "dairy": pgettext("demo data", "Dairy"),
        "bakery": pgettext("demo data", "Bakery"), "sweets": pgettext("demo data", "Sweets"),
        "clothes": pgettext("demo data", "Clothes"), "t-shirts": pgettext("demo data", "T-shirts"),
        "shoes": pgettext("demo data", "Shoes"), "services": pgettext("demo data", "Services"),
        "main": pgettext("demo data", "Main warehouse"), "north": pgettext("demo data", "North warehouse"),
        "shop": pgettext("demo data", "Shop floor"),
        "retail": pgettext("demo data", "Retail"), "wholesale": pgettext("demo data", "Wholesale"),
        "purchase": pgettext("demo data", "Purchase"),
        "piece": pgettext("demo data", "Piece"), "pc": pgettext("demo data", "pc"),
        "organization": pgettext("demo data", "Demo Trading LLC"), "vendor": pgettext("demo data", "Demo vendor"),
        "item": pgettext("demo data", "%(group)s item %(number)s"),
        "full": pgettext("demo data", "%(group)s item %(number)s, demo"),
    }


def seed_demo_catalog(products_per_group: int = 8, language: str | None = None) -> dict[str, int]:
    """Create the demo catalog once, named in ``language`` (default: LANGUAGE_CODE); a second call changes nothing."""
    with translation.override(language or settings.LANGUAGE_CODE):
        words = _words()
    return _seed(products_per_group, words)


@transaction.atomic
def _seed(products_per_group: int, words: dict[str, str]) -> dict[str, int]:
    if Product.objects.filter(code__startswith="DEMO-").exists():
        return {"products": Product.objects.filter(code__startswith="DEMO-").count()}
    rng = random.Random(7)
    piece, _ = Unit.objects.get_or_create(code="pc", defaults={"name": words["piece"], "symbol": words["pc"]})
    warehouses = [
        Warehouse.objects.get_or_create(code=code, defaults={"name": words[code]})[0] for code in ("main", "north", "shop")
    ]
    retail = PriceType.objects.get_or_create(code="retail", defaults={"name": words["retail"]})[0]
    wholesale = PriceType.objects.get_or_create(code="wholesale", defaults={"name": words["wholesale"]})[0]
    purchase = PriceType.objects.get_or_create(code="purchase", defaults={"name": words["purchase"]})[0]
    Organization.objects.get_or_create(name=words["organization"], defaults={"inn": "7701234567"})

    number = 0
    for root_code, children in GROUPS.items():
        root = ProductGroup.objects.create(name=words[root_code], code=root_code)
        for group in [ProductGroup.objects.create(name=words[child], code=child, parent=root) for child in children] or [root]:
            for _ in range(products_per_group):
                number += 1
                is_service = root_code == "services"
                names = {"group": group.name, "number": number}
                product = Product.objects.create(
                    code=f"DEMO-{number:04d}", article=f"ART-{number:04d}",
                    name=words["item"] % names, full_name=words["full"] % names,
                    kind=Product.Kind.SERVICE if is_service else Product.Kind.GOODS, group=group, unit=piece,
                    vat_rate="20", barcode=f"46{number:011d}", vendor=words["vendor"],
                    weight=None if is_service else Decimal(rng.randint(100, 2000)),
                )
                base = Decimal(rng.randint(50, 5000))
                variants = [None]
                if root_code == "clothes":
                    variants = [Characteristic.objects.create(product=product, name=size) for size in SIZES]
                for variant in variants:
                    for price_type, factor in ((retail, Decimal("1")), (wholesale, Decimal("0.85")), (purchase, Decimal("0.6"))):
                        Price.objects.create(product=product, characteristic=variant, price_type=price_type, price=(base * factor).quantize(Decimal("0.01")))
                    if not is_service:
                        for warehouse in warehouses:
                            StockBalance.objects.create(product=product, characteristic=variant, warehouse=warehouse, quantity=rng.randint(0, 40))
    return {"products": number}
