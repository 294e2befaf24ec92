"""The demo catalog speaks the operator's language: Russian names for a Russian demo, English for an English one."""

import pytest

from catalog.demo import seed_demo_catalog
from catalog.models import Organization, PriceType, Product, ProductGroup, Unit, Warehouse


@pytest.mark.django_db
def test_a_russian_demo_has_russian_warehouses_price_types_and_goods():
    seed_demo_catalog(products_per_group=2, language="ru")
    assert Warehouse.objects.get(code="main").name == "Основной склад"
    assert PriceType.objects.get(code="retail").name == "Розничная"
    assert ProductGroup.objects.get(code="bakery").name == "Выпечка"
    assert Product.objects.get(code="DEMO-0003").name == "Выпечка, товар 3"
    assert Unit.objects.get(code="pc").symbol == "шт"
    assert Organization.objects.filter(name="ООО «Демо Трейд»").exists()


@pytest.mark.django_db
def test_an_english_demo_keeps_english_names():
    seed_demo_catalog(products_per_group=2, language="en")
    assert Warehouse.objects.get(code="main").name == "Main warehouse"
    assert Product.objects.get(code="DEMO-0003").name == "Bakery item 3"
    assert ProductGroup.objects.get(code="services").name == "Services"
