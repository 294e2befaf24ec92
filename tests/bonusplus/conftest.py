"""The BonusPlus emulator over real HTTP, settings pointing at it, the manual's order (3,000 / 3,120 / 2,040)."""

from decimal import Decimal

import pytest

from catalog.models import Product, ProductGroup, Unit
from integration.documents.models.orders import Order, OrderLine
from integration.documents.models.states import OrderState
from loyalty.bonusplus.models import BonusPlusSettings, Cashier
from sandbox.bonusplus.testing import BonusPlusServer

MANUAL_CARD, MANUAL_PHONE = "123456789", "70001110000"


@pytest.fixture
def bp(db, settings):
    settings.BONUSPLUS_RATE_LIMIT_RPS = 500  # the emulator answers at once; these tests count requests, not time
    with BonusPlusServer(seed="demo") as server:
        row = BonusPlusSettings.get_solo()
        row.base_url, row.api_key, row.store = server.api_url, server.api_key, "Основной магазин"
        row.sms_required, row.sms_skip_seconds = True, 30
        row.save()
        yield server


@pytest.fixture
def cashier(admin_user):
    Cashier.objects.create(user=admin_user, code="17")
    return admin_user


@pytest.fixture
def manual_order(db):
    """The manual's order: three fans, 3,000 + 3,120 + 2,040 = 8,160.00."""
    unit, _ = Unit.objects.get_or_create(code="pc", defaults={"name": "шт"})
    fans = ProductGroup.objects.create(code="fans", name="Вентиляторы")
    # a transactional test before this one may have flushed the seeded states
    state, _ = OrderState.objects.get_or_create(code="to-fulfil", defaults={"name": "К выполнению"})
    order = Order.objects.create(number="ТД00-000001", source=Order.Source.LOCAL, state=state, total=Decimal("8160.00"))
    for i, (name, price) in enumerate((("Вентилятор настольный", "3000.00"), ("Вентилятор оконный", "3120.00"),
                                       ("Вентилятор JIPONIC", "2040.00"))):
        product = Product.objects.create(code=f"FAN{i}", name=name, group=fans, unit=unit)
        OrderLine.objects.create(order=order, product=product, quantity=1, price=Decimal(price), amount=Decimal(price))
    return order


@pytest.fixture
def client_bp(bp):
    from loyalty.bonusplus.factory import client_from_settings

    with client_from_settings() as client:
        yield client
