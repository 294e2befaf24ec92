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

    row = im.CrmSettings.get_solo()
    row.sale_price_type = row.sale_price_type or PriceType.objects.filter(code="retail").first()
    row.purchase_price_type = row.purchase_price_type or PriceType.objects.filter(code="purchase").first()
    row.default_warehouse = row.default_warehouse or Warehouse.objects.filter(code="main").first()
    if row.history_since_id is None and row.history_start_date is None:
        row.history_start_date = timezone.make_aware(datetime(2000, 1, 1))  # the sandbox's whole history
    if not row.loyalty_program:
        row.loyalty_program = True
    row.save()
