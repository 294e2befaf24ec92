"""The demo's starting point: the choices an operator would make for the sandbox's demo account.

Only fills what is still empty, so running the demo again never undoes an operator's edits.
"""

from datetime import datetime

from django.utils import timezone

from catalog.models import PriceType, Warehouse
from integration import models as im

# CRM status group → local state (seed 001 §7); cancelled orders are closed and flagged.
STATE_BY_GROUP = {"new": "pending-approval", "approval": "pending-approval", "assembling": "to-fulfil",
                  "delivery": "for-shipment", "complete": "closed", "cancel": "closed"}
WAREHOUSE_BY_STORE = {"main": "main", "north": "north", "shop-floor": "shop"}
PRICE_TYPE_BY_CRM = {"base": "retail", "wholesale": "wholesale"}
DELIVERY_BY_CRM = {"courier": im.DeliveryMethod.COURIER, "self-delivery": im.DeliveryMethod.PICKUP,
                   "russian-post": im.DeliveryMethod.CARRIER}

PAYMENT_BY_CRM = {"cash": im.PaymentDocumentKind.CASH_RECEIPT, "bank-card": im.PaymentDocumentKind.CARD_PAYMENT,
                  "e-money": im.PaymentDocumentKind.BANK_RECEIPT}


def map_demo_deliveries() -> None:
    """B7 for the demo account's delivery types; a type left out would make every order say "written with a default"."""
    for code, method in DELIVERY_BY_CRM.items():
        delivery_type = im.CrmDeliveryType.objects.filter(code=code).first()
        if delivery_type is not None:
            im.DeliveryTypeMapping.objects.get_or_create(crm_delivery_type=delivery_type, defaults={"method": method})


def configure_demo_exchange() -> None:
    states = {state.code: state for state in im.OrderState.objects.all()}
    for status in im.CrmStatus.objects.select_related("group"):
        group = status.group.code if status.group else ""
        im.StatusImportMapping.objects.get_or_create(crm_status=status, defaults={
            "local_state": states.get(STATE_BY_GROUP.get(group, "pending-approval")), "cancel_order": group == "cancel"})
    for store, warehouse in WAREHOUSE_BY_STORE.items():
        crm_store = im.CrmStore.objects.filter(code=store).first()
        local = Warehouse.objects.filter(code=warehouse).first()
        if crm_store and local:
            im.WarehouseMapping.objects.get_or_create(crm_store=crm_store, defaults={"warehouse": local})
    for crm_code, local_code in PRICE_TYPE_BY_CRM.items():
        crm_type = im.CrmPriceType.objects.filter(code=crm_code).first()
        local = PriceType.objects.filter(code=local_code).first()
        if crm_type and local:
            im.PriceTypeMapping.objects.get_or_create(crm_price_type=crm_type, defaults={"price_type": local})
    map_demo_deliveries()
    for code, kind in PAYMENT_BY_CRM.items():
        payment_type = im.CrmPaymentType.objects.filter(code=code).first()
        if payment_type is not None:
            im.PaymentTypeMapping.objects.get_or_create(crm_payment_type=payment_type, defaults={"document_kind": kind})

    row = im.CrmSettings.get_solo()
    row.sale_price_type = row.sale_price_type or PriceType.objects.filter(code="retail").first()
    row.purchase_price_type = row.purchase_price_type or PriceType.objects.filter(code="purchase").first()
    row.default_warehouse = row.default_warehouse or Warehouse.objects.filter(code="main").first()
    if row.history_since_id is None and row.history_start_date is None:
        row.history_start_date = timezone.make_aware(datetime(2000, 1, 1))  # the sandbox's whole history
    if not row.loyalty_program:
        row.loyalty_program = True
    row.save()
