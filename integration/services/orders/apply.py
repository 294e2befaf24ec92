"""Applying one CRM order to the back office (E1/E3): ``sync_order_from_crm(data)``.

Everything is validated before anything is written, and the write is one transaction: an
order with an unknown offer, shop, payment or delivery type is *parked* (nothing written, a
specific message in the exchange log) and tried again on a later run.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime
from django.utils.timezone import get_current_timezone, is_naive, make_aware
from django.utils.translation import gettext as _

from catalog.offers import resolve_offer
from integration import models as im
from integration.services.orders.customers import sync_customer_from_crm


class OrderParked(Exception):
    """The order cannot be applied yet; the message says what the operator must fix."""


@dataclass
class ApplyResult:
    result: str  # an ExchangeEvent.Result value
    order: im.Order | None
    message: str = ""


def _money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _crm_datetime(value):
    parsed = parse_datetime(value) if value else None
    if parsed is not None and is_naive(parsed):
        parsed = make_aware(parsed, get_current_timezone())  # the CRM sends account-local times
    return parsed


def import_status_mapping(crm_status: str):
    """B1 with the manual's two refusals (000 §6)."""
    if not im.StatusImportMapping.objects.exists():
        raise LookupError(_("The table of statuses for import is empty: orders are not loaded. "
                            "Open “B1 · statuses for import” and add the statuses to load."))
    mapping = im.StatusImportMapping.objects.select_related("local_state").filter(crm_status__code=crm_status).first()
    if mapping is None:
        raise LookupError(_("Orders in status %(status)s are not loaded. To load them, add this status to "
                            "“B1 · statuses for import”.") % {"status": crm_status})
    return mapping


def _resolve_lines(data: dict, crm_settings) -> list[tuple[dict, object, object]]:
    id_field = crm_settings.offer_id_field
    resolved, unknown = [], []
    for item in data.get("items") or []:
        offer = item.get("offer") or {}
        offer_id = offer.get(id_field) or offer.get("externalId")
        found = resolve_offer(offer_id or "", crm_settings.product_id_source)
        if found is None:
            unknown.append(offer_id or offer.get("name") or str(offer.get("id")))
        else:
            resolved.append((item, *found))
    if unknown:
        raise OrderParked(_("Unknown offers (not in the catalog): %(offers)s. Load the catalog or fix the offer "
                            "identifiers; the order is retried automatically.") % {"offers": ", ".join(unknown)})
    return resolved


def _check_references(data: dict) -> None:
    site = data.get("site")
    if site and not im.CrmSite.objects.filter(code=site, removed_in_crm=False).exists():
        raise OrderParked(_("Unknown shop %(site)s: load the references from RetailCRM.") % {"site": site})
    delivery = (data.get("delivery") or {}).get("code")
    if delivery and not im.CrmDeliveryType.objects.filter(code=delivery).exists():
        raise OrderParked(_("Unknown delivery type %(code)s: load the references from RetailCRM.") % {"code": delivery})
    for payment in data.get("payments") or []:
        code = payment.get("type")
        if code and not im.CrmPaymentType.objects.filter(code=code).exists():
            raise OrderParked(_("Unknown payment type %(code)s: load the references from RetailCRM.") % {"code": code})


def sync_order_from_crm(data: dict) -> ApplyResult:
    """Create or update the local order from the CRM's current order ``data``."""
    crm_settings = im.CrmSettings.get_solo()
    crm_id = int(data["id"])
    try:
        mapping = import_status_mapping(data.get("status") or "")
    except LookupError as exc:
        return ApplyResult(im.ExchangeEvent.Result.SKIPPED, im.Order.objects.filter(crm_id=crm_id).first(), str(exc))
    existing = im.Order.objects.filter(crm_id=crm_id).first()
    if existing is not None and existing.closed:
        return ApplyResult(im.ExchangeEvent.Result.UNCHANGED, existing, _("The order is closed here; it is not changed."))
    _check_references(data)
    lines = _resolve_lines(data, crm_settings)
    try:
        with transaction.atomic():
            return _write(data, crm_id, mapping, lines, crm_settings)
    except IntegrityError:
        # A concurrent import created the same order (or line) first: apply ours as an update.
        with transaction.atomic():
            return _write(data, crm_id, mapping, lines, crm_settings)


def _write(data, crm_id, mapping, lines, crm_settings) -> ApplyResult:
    order = im.Order.objects.select_for_update().filter(crm_id=crm_id).first()
    created = order is None
    if created:
        order = im.Order(crm_id=crm_id, source=im.Order.Source.CRM)
    elif order.closed:
        return ApplyResult(im.ExchangeEvent.Result.UNCHANGED, order, _("The order is closed here; it is not changed."))

    crm_number = str(data.get("number") or crm_id)
    order.number = f"{crm_settings.order_number_prefix}{crm_number}"
    order.crm_number = crm_number
    order.crm_external_id = data.get("externalId") or ""
    order.crm_site = data.get("site") or ""
    order.crm_status = data.get("status") or ""
    order.date = _crm_datetime(data.get("createdAt")) or order.date
    order.state = mapping.local_state
    order.cancelled = mapping.cancel_order
    order.closed = bool(mapping.local_state and mapping.local_state.is_closed)
    order.customer = sync_customer_from_crm(data, corporate_mode=crm_settings.corporate_customers)
    order.organization = crm_settings.default_organization
    manager = im.ManagerMapping.objects.filter(crm_user__crm_id=data.get("managerId")).first() if data.get("managerId") else None
    order.manager = manager.local_user if manager else None
    store = im.WarehouseMapping.objects.select_related("warehouse").filter(crm_store__code=data.get("shipmentStore")).first()
    order.warehouse = store.warehouse if store else crm_settings.default_warehouse
    delivery = data.get("delivery") or {}
    delivery_mapping = im.DeliveryTypeMapping.objects.filter(crm_delivery_type__code=delivery.get("code")).first()
    order.delivery_method = delivery_mapping.method if delivery_mapping else im.DeliveryMethod.PICKUP
    order.delivery_carrier = delivery_mapping.carrier if delivery_mapping else ""
    order.delivery_cost = _money(delivery.get("cost"))
    order.delivery_address = ((delivery.get("address") or {}).get("text") or "")
    order.total = _money(data.get("totalSumm"))
    order.comment = _("RetailCRM order %(number)s") % {"number": crm_number}
    order.deleted_in_crm = False
    order.save()

    kept = set()
    charged = credited = discount_total = Decimal("0")
    for item, product, characteristic in lines:
        quantity = Decimal(str(item.get("quantity") or 0))
        price = _money(item.get("initialPrice"))
        discount = _money(item.get("discountTotal") if item.get("discountTotal") is not None else item.get("discountManualAmount"))
        line = im.OrderLine.objects.filter(crm_item_id=item["id"]).first() or im.OrderLine(crm_item_id=item["id"])
        line.order, line.product, line.characteristic = order, product, characteristic
        line.quantity, line.price, line.discount_per_unit = quantity, price, discount
        line.amount = ((price - discount) * quantity).quantize(Decimal("0.01"))
        line.bonuses_charged = _money(item.get("bonusesChargeTotal"))
        line.bonuses_credited = _money(item.get("bonusesCreditTotal"))
        line.vat_rate = str(item.get("vatRate") or "")
        line.crm_status = (item.get("status") or "") if isinstance(item.get("status"), str) else ""
        line.is_delivery = False
        line.save()
        kept.add(line.pk)
        charged += line.bonuses_charged
        credited += line.bonuses_credited
        discount_total += discount * quantity
    if crm_settings.delivery_product_id and order.delivery_cost:
        line = order.lines.filter(is_delivery=True).first() or im.OrderLine(order=order, is_delivery=True)
        line.product_id, line.quantity = crm_settings.delivery_product_id, Decimal("1")
        line.price = line.amount = order.delivery_cost
        line.save()
        kept.add(line.pk)
    order.lines.exclude(pk__in=kept).delete()
    order.bonuses_charged, order.bonuses_credited = charged, credited
    order.discount_total = (discount_total + _money(data.get("discountManualAmount"))).quantize(Decimal("0.01"))
    order.save(update_fields=["bonuses_charged", "bonuses_credited", "discount_total"])

    for payment in data.get("payments") or []:
        if payment.get("id") is None:
            continue
        local = im.Payment.objects.filter(crm_id=payment["id"]).first() or im.Payment(crm_id=payment["id"])
        payment_mapping = im.PaymentTypeMapping.objects.filter(crm_payment_type__code=payment.get("type")).first()
        local.order, local.crm_type = order, payment.get("type") or ""
        local.document_kind = payment_mapping.document_kind if payment_mapping else ""
        local.terminal = payment_mapping.terminal if payment_mapping else ""
        local.amount = _money(payment.get("amount"))
        local.paid = payment.get("status") == "paid" or bool(payment.get("paidAt"))
        local.paid_at = _crm_datetime(payment.get("paidAt"))
        local.save()
    result = im.ExchangeEvent.Result.CREATED if created else im.ExchangeEvent.Result.UPDATED
    return ApplyResult(result, order)


def mark_deleted_in_crm(crm_id: int) -> im.Order | None:
    """The CRM deleted the order: keep ours (it may have documents) but say so."""
    order = im.Order.objects.filter(crm_id=crm_id).first()
    if order is not None and not order.deleted_in_crm:
        order.deleted_in_crm = True
        order.save(update_fields=["deleted_in_crm"])
    return order
