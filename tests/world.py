"""A small named world of every model, so admin and query tests have real rows to show."""

from decimal import Decimal

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
from integration import models as im


def _seeded_state(code: str):
    """A state the migrations seed; a transactional test before this one may have flushed it."""
    return im.OrderState.objects.get_or_create(code=code, defaults={"name": code.replace("-", " ").capitalize()})[0]


def make_catalog(n_products: int = 3, prefix: str = "P"):
    unit, _ = Unit.objects.get_or_create(code="pc", defaults={"name": "Piece", "symbol": "pc"})
    root, _ = ProductGroup.objects.get_or_create(code="root", defaults={"name": "Food"})
    dairy, _ = ProductGroup.objects.get_or_create(code="dairy", defaults={"name": "Dairy", "parent": root})
    warehouse, _ = Warehouse.objects.get_or_create(code="main", defaults={"name": "Main warehouse"})
    price_type, _ = PriceType.objects.get_or_create(code="retail", defaults={"name": "Retail"})
    products = []
    for i in range(n_products):
        product = Product.objects.create(
            code=f"{prefix}{i:05d}", article=f"A-{prefix}{i}", name=f"Milk {prefix}{i}", group=dairy, unit=unit,
            vat_rate="10",
        )
        variant = Characteristic.objects.create(product=product, name="1 l")
        Price.objects.create(product=product, characteristic=variant, price_type=price_type, price=Decimal("86.40"))
        StockBalance.objects.create(product=product, characteristic=variant, warehouse=warehouse, quantity=5)
        products.append(product)
    return {"unit": unit, "root": root, "dairy": dairy, "warehouse": warehouse, "price_type": price_type, "products": products}


def make_orders(n: int, products, prefix: str = "CRM-", start_crm_id: int = 1):
    state = _seeded_state("to-fulfil")
    orders = []
    for i in range(n):
        customer = im.Customer.objects.create(first_name="Ivan", last_name=f"Petrov{i}", phone=f"+7900{start_crm_id + i:07d}")
        order = im.Order.objects.create(
            number=f"{prefix}{start_crm_id + i}", crm_id=start_crm_id + i, crm_number=f"{start_crm_id + i}A",
            customer=customer, state=state, crm_status="assembling", total=Decimal("172.80"),
        )
        for product in products[:2]:
            im.OrderLine.objects.create(order=order, product=product, quantity=1, price=Decimal("86.40"), amount=Decimal("86.40"))
        im.Payment.objects.create(order=order, crm_type="cash", amount=Decimal("172.80"))
        orders.append(order)
    return orders


def make_world():
    catalog = make_catalog()
    organization = Organization.objects.create(name="OOO Milk", inn="7700000000")
    site = im.CrmSite.objects.create(code="main-shop", name="Main shop")
    group = im.CrmStatusGroup.objects.create(code="new", name="New")
    status = im.CrmStatus.objects.create(code="new", name="New", group=group)
    user = im.CrmUser.objects.create(crm_id=1, email="manager@example.com", first_name="Olga")
    store = im.CrmStore.objects.create(code="store-1", name="Store 1")
    crm_price = im.CrmPriceType.objects.create(code="base", name="Base")
    payment_type = im.CrmPaymentType.objects.create(code="cash", name="Cash")
    im.CrmPaymentStatus.objects.create(code="paid", name="Paid", payment_complete=True)
    delivery_type = im.CrmDeliveryType.objects.create(code="courier", name="Courier")
    im.CrmOrderType.objects.create(code="eshop-individual", name="Individual")
    im.CrmOrderMethod.objects.create(code="phone", name="Phone")
    state = _seeded_state("pending-approval")
    im.StatusImportMapping.objects.create(crm_status=status, local_state=state)
    im.StatusExportMapping.objects.create(local_state=state, crm_status=status)
    im.ManagerMapping.objects.create(crm_user=user)
    im.WarehouseMapping.objects.create(crm_store=store, warehouse=catalog["warehouse"])
    im.PriceTypeMapping.objects.create(crm_price_type=crm_price, price_type=catalog["price_type"])
    im.PaymentTypeMapping.objects.create(crm_payment_type=payment_type, document_kind=im.PaymentDocumentKind.CASH_RECEIPT)
    im.DeliveryTypeMapping.objects.create(crm_delivery_type=delivery_type, method=im.DeliveryMethod.COURIER)
    im.ShopOrganization.objects.create(crm_site=site, organization=organization)
    orders = make_orders(2, catalog["products"])
    order = orders[0]
    sale = im.Sale.objects.create(order=order, number="S-1", total=order.total)
    ret = im.Return.objects.create(order=order, number="R-1", crm_status="return")
    im.ReturnLine.objects.create(document=ret, order_line=order.lines.first(), quantity=1, amount=Decimal("86.40"))
    run = im.JobRun.objects.create(kind="check-connection", trigger=im.JobRun.Trigger.COMMAND, status="succeeded")
    im.ExchangeEvent.objects.create(run=run, entity="order", crm_id="1", result="created", direction="import")
    im.JobSchedule.objects.get_or_create(kind="check-connection", defaults={"interval_seconds": 600})
    im.WebhookRequest.objects.create(order_crm_id=1, status=im.WebhookRequest.Status.ENQUEUED, body_format="form", run=run)
    im.RejectedWebhookWindow.objects.create(window_start=run.created_at, calls=3, stored=3, last_remote_addr="127.0.0.1")
    im.SkippedOrder.objects.create(crm_id=77, crm_number="77A", crm_site="main-shop", crm_status="complete",
                                   reason=im.SkippedOrder.Reason.NOT_LISTED, run=run)
    from integration.exchange import retry
    from integration.exchange.messages import stored

    retry.park("retailcrm", "order", 78, message=stored("Unknown offers: %(offers)s.", offers="X-1"), run=run, local_ref="78A")
    from loyalty.models import LoyaltyProgram, Participation

    program = LoyaltyProgram.objects.create(crm_id=1, name="Bonus club", active=True)
    Participation.objects.create(customer=order.customer or im.Customer.objects.create(phone="+70000000000"),
                                 program=program, crm_account_id=1, status="activated", active=True)
    from django.contrib.auth.models import Group

    Group.objects.create(name="Operators")
    settings_row = im.CrmSettings.get_solo()
    settings_row.crm_url = "http://127.0.0.1:9"
    settings_row.save()
    return {**catalog, "organization": organization, "orders": orders, "sale": sale, "return": ret, "run": run}
