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


class ReferenceData:
    """Settings, dictionaries and mappings read once per run instead of once per order."""

    def __init__(self):
        self.settings = im.CrmSettings.get_solo()
        self.status_mappings = {
            m.crm_status.code: m for m in im.StatusImportMapping.objects.select_related("crm_status", "local_state")
        }
        self.sites = set(im.CrmSite.objects.filter(removed_in_crm=False).values_list("code", flat=True))
        self.delivery_codes = set(im.CrmDeliveryType.objects.values_list("code", flat=True))
        self.payment_codes = set(im.CrmPaymentType.objects.values_list("code", flat=True))
        self.managers = {m.crm_user.crm_id: m.local_user for m in im.ManagerMapping.objects.select_related("crm_user", "local_user")}
        self.warehouses = {m.crm_store.code: m.warehouse for m in im.WarehouseMapping.objects.select_related("crm_store", "warehouse")}
        self.deliveries = {m.crm_delivery_type.code: m for m in im.DeliveryTypeMapping.objects.select_related("crm_delivery_type")}
        self.payments = {m.crm_payment_type.code: m for m in im.PaymentTypeMapping.objects.select_related("crm_payment_type")}
        self._offers: dict[str, tuple | None] = {}
        self.parked_ids: set[int] = set()  # orders with unresolved "parked" events, filled by the feed

    def offer(self, offer_id: str):
        if offer_id not in self._offers:
            self._offers[offer_id] = resolve_offer(offer_id, self.settings.product_id_source)
        return self._offers[offer_id]


def import_status_mapping(crm_status: str, refs: ReferenceData):
    """B1 with the manual's two refusals (000 §6)."""
    if not refs.status_mappings:
        raise LookupError(_("The table of statuses for import is empty: orders are not loaded. "
                            "Open “B1 · statuses for import” and add the statuses to load."))
    mapping = refs.status_mappings.get(crm_status)
    if mapping is None:
        raise LookupError(_("Orders in status %(status)s are not loaded. To load them, add this status to "
                            "“B1 · statuses for import”.") % {"status": crm_status})
    return mapping


def _resolve_lines(data: dict, refs: ReferenceData) -> list[tuple[dict, object, object]]:
    id_field = refs.settings.offer_id_field
    resolved, unknown = [], []
    for item in data.get("items") or []:
        offer = item.get("offer") or {}
        offer_id = offer.get(id_field) or offer.get("externalId")
        found = refs.offer(offer_id or "")
        if found is None:
            unknown.append(offer_id or offer.get("name") or str(offer.get("id")))
        else:
            resolved.append((item, *found))
    if unknown:
        raise OrderParked(_("Unknown offers (not in the catalog): %(offers)s. Load the catalog or fix the offer "
                            "identifiers; the order is retried automatically.") % {"offers": ", ".join(unknown)})
    return resolved


def _check_references(data: dict, refs: ReferenceData) -> None:
    site = data.get("site")
    if site and site not in refs.sites:
        raise OrderParked(_("Unknown shop %(site)s: load the references from RetailCRM.") % {"site": site})
    delivery = (data.get("delivery") or {}).get("code")
    if delivery and delivery not in refs.delivery_codes:
        raise OrderParked(_("Unknown delivery type %(code)s: load the references from RetailCRM.") % {"code": delivery})
    for payment in data.get("payments") or []:
        code = payment.get("type")
        if code and code not in refs.payment_codes:
            raise OrderParked(_("Unknown payment type %(code)s: load the references from RetailCRM.") % {"code": code})


def sync_order_from_crm(data: dict, refs: ReferenceData | None = None) -> ApplyResult:
    """Create or update the local order from the CRM's current order ``data``."""
    refs = refs or ReferenceData()
    crm_id = int(data["id"])
    try:
        mapping = import_status_mapping(data.get("status") or "", refs)
    except LookupError as exc:
        return ApplyResult(im.ExchangeEvent.Result.SKIPPED, im.Order.objects.filter(crm_id=crm_id).first(), str(exc))
    existing = im.Order.objects.filter(crm_id=crm_id).first()
    if existing is not None and existing.closed:
        return ApplyResult(im.ExchangeEvent.Result.UNCHANGED, existing, _("The order is closed here; it is not changed."))
    _check_references(data, refs)
    lines = _resolve_lines(data, refs)
    try:
        with transaction.atomic():
            return _write(data, crm_id, mapping, lines, refs)
    except IntegrityError:
        # A concurrent import created the same order (or line) first: apply ours as an update.
        with transaction.atomic():
            return _write(data, crm_id, mapping, lines, refs)


def _write(data, crm_id, mapping, lines, refs) -> ApplyResult:
    crm_settings = refs.settings
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
    order.manager = refs.managers.get(data.get("managerId"))
    order.warehouse = refs.warehouses.get(data.get("shipmentStore")) or crm_settings.default_warehouse
    delivery = data.get("delivery") or {}
    delivery_mapping = refs.deliveries.get(delivery.get("code"))
    order.delivery_method = delivery_mapping.method if delivery_mapping else im.DeliveryMethod.PICKUP
    order.delivery_carrier = delivery_mapping.carrier if delivery_mapping else ""
    order.delivery_cost = _money(delivery.get("cost"))
    order.delivery_address = ((delivery.get("address") or {}).get("text") or "")
    order.total = _money(data.get("totalSumm"))
    order.comment = _("RetailCRM order %(number)s") % {"number": crm_number}
    order.deleted_in_crm = False

    existing_lines = {} if created else {line.crm_item_id: line for line in order.lines.all()}
    kept, new_lines, changed_lines = set(), [], []
    charged = credited = discount_total = Decimal("0")
    for item, product, characteristic in lines:
        quantity = Decimal(str(item.get("quantity") or 0))
        price = _money(item.get("initialPrice"))
        discount = _money(item.get("discountTotal") if item.get("discountTotal") is not None else item.get("discountManualAmount"))
        line = existing_lines.get(item["id"]) or im.OrderLine(crm_item_id=item["id"])
        line.order, line.product, line.characteristic = order, product, characteristic
        line.quantity, line.price, line.discount_per_unit = quantity, price, discount
        line.amount = ((price - discount) * quantity).quantize(Decimal("0.01"))
        line.bonuses_charged = _money(item.get("bonusesChargeTotal"))
        line.bonuses_credited = _money(item.get("bonusesCreditTotal"))
        line.vat_rate = str(item.get("vatRate") or "")
        line.crm_status = (item.get("status") or "") if isinstance(item.get("status"), str) else ""
        line.is_delivery = False
        (new_lines if line.pk is None else changed_lines).append(line)
        charged += line.bonuses_charged
        credited += line.bonuses_credited
        discount_total += discount * quantity
    order.bonuses_charged, order.bonuses_credited = charged, credited
    order.discount_total = (discount_total + _money(data.get("discountManualAmount"))).quantize(Decimal("0.01"))
    order.save()  # once, with its totals; the lines below take its id
    for line in changed_lines:
        line.save()
        kept.add(line.pk)
    # One INSERT for the new lines: most imports are new orders, and per-row saves dominated them.
    kept.update(line.pk for line in im.OrderLine.objects.bulk_create(new_lines))
    if crm_settings.delivery_product_id and order.delivery_cost:
        line = existing_lines.get(None) or im.OrderLine(order=order, is_delivery=True)
        line.product_id, line.quantity = crm_settings.delivery_product_id, Decimal("1")
        line.price = line.amount = order.delivery_cost
        line.save()
        kept.add(line.pk)
    if not created:
        order.lines.exclude(pk__in=kept).delete()

    existing_payments = {} if created else {payment.crm_id: payment for payment in order.payments.all()}
    for payment in data.get("payments") or []:
        if payment.get("id") is None:
            continue
        local = existing_payments.get(payment["id"]) or im.Payment(crm_id=payment["id"])
        payment_mapping = refs.payments.get(payment.get("type"))
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
