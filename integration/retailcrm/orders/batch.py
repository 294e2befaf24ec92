"""Orders applied together: everything they touch read in a few queries, written in bulk."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from integration import models as im
from integration.exchange.rows import insert_objects
from integration.exchange.messages import of_exception, stored
from integration.retailcrm.orders.address import address_parts, address_text
from integration.retailcrm.orders.customers import CustomerBook
from integration.retailcrm.orders.payments import stage_payment_document
from integration.retailcrm.orders.returns import is_return, make_crm_return, plan_crm_return
from integration.retailcrm.orders.sales import create_sales, wants_sale
from integration.retailcrm.orders.export_state import seen_after_import
from integration.retailcrm.orders.rules import (
    ApplyResult,
    OrderParked,
    ReferenceData,
    check_references,
    crm_datetime,
    import_status_mapping,
    money,
    order_payments,
    resolve_lines,
)


ORDER_FIELDS = [
    "number", "crm_number", "crm_external_id", "crm_site", "crm_status", "date", "state", "cancelled", "closed",
    "customer", "contact", "organization", "manager", "warehouse", "currency", "priority", "taxation",
    "prices_include_vat", "delivery_method", "delivery_carrier",
    "delivery_cost", "delivery_net_cost", "delivery_address", "delivery_address_parts", "delivery_crm_code",
    "delivery_defaulted", "total", "comment", "deleted_in_crm", "bonuses_charged", "bonuses_credited", "discount_total",
    "crm_seen",
]
LINE_FIELDS = [
    "product", "characteristic", "is_delivery", "quantity", "price", "discount_per_unit", "amount",
    "bonuses_charged", "bonuses_credited", "vat_rate", "crm_status",
]
PAYMENT_FIELDS = ["crm_type", "crm_status", "document_kind", "terminal", "amount", "paid", "paid_at", "crm_id", "posted",
                  "cash_desk", "bank_account", "organization"]


def _attnames(model, fields) -> list[str]:
    return [model._meta.get_field(name).attname for name in fields]


ORDER_ATTNAMES = _attnames(im.Order, ORDER_FIELDS)
LINE_ATTNAMES = _attnames(im.OrderLine, LINE_FIELDS)
PAYMENT_ATTNAMES = _attnames(im.Payment, PAYMENT_FIELDS)


def _snapshot(obj, attnames) -> tuple:
    return tuple(getattr(obj, name) for name in attnames)


class OrderBatch:
    """Orders applied together: everything they touch read in a few queries, written in bulk."""

    def __init__(self, orders: list[dict], refs: ReferenceData):
        self.refs = refs
        ids = [data["id"] for data in orders if type(data.get("id")) is int]
        # Locked for the transaction, so a concurrent import of the same order waits for ours.
        self.existing = {order.crm_id: order for order in im.Order.objects.select_for_update().filter(crm_id__in=ids).order_by("crm_id")}
        self.lines: dict[int, list[im.OrderLine]] = {order.pk: [] for order in self.existing.values()}
        self.payments: dict[int, list[im.Payment]] = {order.pk: [] for order in self.existing.values()}
        if self.existing:
            for line in im.OrderLine.objects.filter(order__in=self.existing.values()):
                self.lines[line.order_id].append(line)
            for payment in im.Payment.objects.filter(order__in=self.existing.values()):
                self.payments[payment.order_id].append(payment)
        self.customers = CustomerBook(orders, corporate_mode=refs.settings.corporate_customers)
        self.new_orders: list[im.Order] = []
        self.changed_orders: list[im.Order] = []
        self.customer_of: dict[int, tuple] = {}  # id(order) -> (customer, contact), saved before the orders
        self.new_lines: list[tuple[im.Order, im.OrderLine]] = []
        self.changed_lines: list[im.OrderLine] = []
        self.stale_lines: list[int] = []
        self.new_payments: list[tuple[im.Order, im.Payment]] = []
        self.changed_payments: list[im.Payment] = []
        self.sale_orders: list[im.Order] = []  # E4: orders to get a sale once written
        self.with_sale = set(im.Sale.objects.filter(order__in=self.existing.values()).values_list("order_id", flat=True)) \
            if refs.settings.create_sales and self.existing else set()
        self.crm_returns: list[tuple] = []  # E6: (sale, quantities, status) of closed orders returned in the CRM

    def plan(self, data: dict) -> ApplyResult:
        """Validate ``data`` and stage its writes; raises OrderParked (or on malformed data) staging nothing."""
        refs = self.refs
        crm_id = int(data["id"])
        existing = self.existing.get(crm_id)
        try:
            mapping = import_status_mapping(data.get("status") or "", refs)
        except LookupError as exc:  # the stored message: the event shows it in the reader's language
            return ApplyResult(im.ExchangeEvent.Result.SKIPPED, existing, of_exception(exc))
        if existing is not None and is_return(data, refs):
            sale, wanted = plan_crm_return(existing, data)  # an open order is parked: "close the order first"
            if sale is not None:
                self.crm_returns.append((sale, wanted, data.get("status")))
                return ApplyResult(im.ExchangeEvent.Result.UPDATED, existing, stored(gettext_noop(
                    "Returned in RetailCRM (%(status)s): a return of %(count)s lines is made from the sale."),
                    status=data.get("status"), count=len(wanted)))
            if wanted:
                return ApplyResult(im.ExchangeEvent.Result.UNCHANGED, existing, wanted, warning=True)
        if existing is not None and existing.closed:
            return ApplyResult(im.ExchangeEvent.Result.UNCHANGED, existing, stored(gettext_noop(
                "The order is closed here; it is not changed.")))
        if existing is not None and existing.export_pending:
            # Its local change is sent first (export_conflicts); until it is, the CRM's state is not applied over it.
            raise OrderParked(stored(gettext_noop(
                "The order has a posted local change not yet exported: RetailCRM's state is applied after it is sent.")))
        check_references(data, refs)
        resolved = resolve_lines(data, refs)

        order = existing or im.Order(crm_id=crm_id, source=im.Order.Source.CRM, posted=True)  # "Проведен: Заказ …"
        old_lines = self.lines.get(order.pk, []) if existing else []
        old_payments = self.payments.get(order.pk, []) if existing else []
        before = self._fingerprint(order, old_lines, old_payments) if existing else None
        staged = _Staged(order)
        self._fill_order(order, data, mapping)
        self._stage_lines(staged, data, resolved, old_lines)
        self._stageorder_payments(staged, data, old_payments)
        order.crm_seen = seen_after_import(order, staged.lines, data)  # F1: what the CRM has now
        # Only now, when nothing above can refuse the order, may its customer be matched or created.
        customer, contact = self.customers.customers_for(data)
        order.customer = customer if customer.pk is not None else None
        order.contact = contact if contact is not None and contact.pk is not None else None
        saved = customer.pk is not None and (contact is None or contact.pk is not None)
        if existing and saved and not staged.stale \
                and before == self._fingerprint(order, staged.lines, staged.payments + staged.untouched_payments):
            if wants_sale(mapping, refs) and order.pk not in self.with_sale:  # "create sales" switched on since
                self.sale_orders.append(order)
                return ApplyResult(im.ExchangeEvent.Result.UPDATED, order)
            return ApplyResult(im.ExchangeEvent.Result.UNCHANGED, order)
        self.customer_of[id(order)] = (customer, contact)
        if wants_sale(mapping, refs):
            self.sale_orders.append(order)
        (self.changed_orders if existing else self.new_orders).append(order)
        for line in staged.lines:
            if line.pk is None:
                self.new_lines.append((order, line))
            else:
                self.changed_lines.append(line)
        self.stale_lines.extend(staged.stale)
        for payment in staged.payments:
            if payment.pk is None:
                self.new_payments.append((order, payment))
            else:
                self.changed_payments.append(payment)
        result = im.ExchangeEvent.Result.UPDATED if existing else im.ExchangeEvent.Result.CREATED
        if order.delivery_defaulted:
            return ApplyResult(result, order, default_delivery_message(order), warning=True)
        return ApplyResult(result, order)

    @staticmethod
    def _fingerprint(order, lines, payments) -> tuple:
        return (
            _snapshot(order, ORDER_ATTNAMES),
            {line.crm_item_id: _snapshot(line, LINE_ATTNAMES) for line in lines},
            {payment.crm_id: _snapshot(payment, PAYMENT_ATTNAMES) for payment in payments},
        )

    def _fill_order(self, order: im.Order, data: dict, mapping) -> None:
        refs, crm_settings = self.refs, self.refs.settings
        crm_number = str(data.get("number") or order.crm_id)
        order.number = f"{crm_settings.order_number_prefix}{crm_number}"
        order.crm_number = crm_number
        order.crm_external_id = data.get("externalId") or ""
        order.crm_site = data.get("site") or ""
        shop = refs.shops.for_site(order.crm_site)
        order.crm_status = data.get("status") or ""
        order.date = crm_datetime(data.get("createdAt")) or order.date
        order.state = mapping.local_state
        order.cancelled = mapping.cancel_order
        order.closed = bool(mapping.local_state and mapping.local_state.is_closed)
        order.organization = shop.organization
        order.manager = refs.managers.get(data.get("managerId"))
        order.warehouse = refs.warehouses.get(data.get("shipmentStore")) or shop.default_warehouse
        order.currency, order.priority = shop.currency, shop.priority
        order.taxation, order.prices_include_vat = shop.taxation, shop.prices_include_vat
        delivery = data.get("delivery") if isinstance(data.get("delivery"), dict) else {}
        code = delivery.get("code") if isinstance(delivery.get("code"), str) else ""
        delivery_mapping = refs.deliveries.get(code) if code else None
        # What the CRM sent is kept whatever B7 says; an unmapped type is written with the default, and says so.
        order.delivery_crm_code = code
        # No delivery type at all is no choice of ours to report; a type B7 does not know is.
        order.delivery_defaulted = bool(code) and delivery_mapping is None
        order.delivery_method = delivery_mapping.method if delivery_mapping else shop.delivery_method
        order.delivery_carrier = delivery_mapping.carrier if delivery_mapping else ""
        order.delivery_cost = money(delivery.get("cost"))
        order.delivery_net_cost = money(delivery.get("netCost"))
        order.delivery_address_parts = address_parts(delivery.get("address"))
        order.delivery_address = address_text(delivery.get("address"))
        order.total = money(data.get("totalSumm"))
        order.comment = gettext("RetailCRM order %(number)s") % {"number": crm_number}
        order.deleted_in_crm = False

    def _stage_lines(self, staged: "_Staged", data: dict, resolved, old_lines) -> None:
        order, crm_settings = staged.order, self.refs.settings
        by_item = {line.crm_item_id: line for line in old_lines}
        charged = credited = discount_total = Decimal("0")
        every_item_has_total = True
        for item, product, characteristic in resolved:
            quantity = Decimal(str(item.get("quantity") or 0))
            price = money(item.get("initialPrice"))
            every_item_has_total &= item.get("discountTotal") is not None
            discount = money(item.get("discountTotal") if item.get("discountTotal") is not None
                              else item.get("discountManualAmount"))
            line = by_item.get(item["id"]) or im.OrderLine(crm_item_id=item["id"])
            line.product, line.characteristic = product, characteristic
            line.quantity, line.price, line.discount_per_unit = quantity, price, discount
            line.amount = item_amount(item, price, discount, quantity)
            line.bonuses_charged = money(item.get("bonusesChargeTotal"))
            line.bonuses_credited = money(item.get("bonusesCreditTotal"))
            line.vat_rate = str(item.get("vatRate") or "")
            line.crm_status = (item.get("status") or "") if isinstance(item.get("status"), str) else ""
            line.is_delivery = False
            staged.add_line(line)
            charged += line.bonuses_charged
            credited += line.bonuses_credited
            discount_total += discount * quantity
        order.bonuses_charged, order.bonuses_credited = charged, credited
        # An item's discountTotal already holds its share of the order's manual discount (the CRM spreads
        # discountManualAmount over the items); only items without it leave the order's discount to add.
        order_discount = Decimal("0") if every_item_has_total and resolved else money(data.get("discountManualAmount"))
        order.discount_total = (discount_total + order_discount).quantize(Decimal("0.01"))
        if crm_settings.delivery_product_id and order.delivery_cost:
            line = by_item.get(None) or im.OrderLine(is_delivery=True)
            line.product_id, line.characteristic, line.quantity = crm_settings.delivery_product_id, None, Decimal("1")
            line.price = line.amount = order.delivery_cost
            line.is_delivery = True
            staged.add_line(line)
        staged.stale = [line.pk for line in old_lines if line.pk not in staged.kept]

    def _stageorder_payments(self, staged: "_Staged", data: dict, old_payments) -> None:
        by_id = {payment.crm_id: payment for payment in old_payments}
        shop = self.refs.shops.for_site(staged.order.crm_site)
        by_external = {payment.external_id: payment for payment in old_payments if payment.external_id}
        seen = set()
        for payment in order_payments(data):
            if payment.get("id") is None:
                continue
            # Ours (F2) carry our externalId: found by it even when the answer with the CRM id was lost.
            local = by_id.get(payment["id"]) or by_external.get(payment.get("externalId") or None) \
                or im.Payment(crm_id=payment["id"])
            local.crm_id = payment["id"]
            mapping = self.refs.payments.get(payment.get("type"))
            status = payment.get("status") if isinstance(payment.get("status"), str) else ""
            local.crm_type = payment.get("type") or ""
            local.crm_status = status
            local.document_kind = mapping.document_kind if mapping else ""
            # A card payment whose B6 row names no terminal takes its shop's (B8).
            local.terminal = ""
            if mapping is not None:
                card = mapping.document_kind == im.PaymentDocumentKind.CARD_PAYMENT
                local.terminal = mapping.terminal or (shop.terminal if card else "")
            local.amount = money(payment.get("amount"))
            # Paid is what the CRM's payment-status reference says (paymentComplete), never paidAt:
            # a real "not-paid" payment carries a paidAt, and accounts have several complete statuses.
            local.paid = status in self.refs.complete_payment_statuses
            local.paid_at = crm_datetime(payment.get("paidAt"))  # kept as sent; "paid" alone decides
            stage_payment_document(local, self.refs, data.get("site") or "")
            staged.payments.append(local)
            seen.add(local.crm_id)
        # Payments the CRM no longer lists stay: they may already be posted here.
        staged.untouched_payments = [payment for payment in old_payments if payment.crm_id not in seen]

    def write(self) -> None:
        self._write_rows()
        # The documents (E4, E6) come after their orders' rows, in the same transaction.
        if self.sale_orders:
            create_sales(self.sale_orders, self.refs)
        for sale, quantities, status in self.crm_returns:
            make_crm_return(sale, quantities, status)

    def _write_rows(self) -> None:
        self.customers.save()
        if not (self.new_orders or self.changed_orders):
            return
        for order in self.new_orders + self.changed_orders:
            order.customer, order.contact = self.customer_of[id(order)]
        if self.new_orders:
            insert_objects(im.Order, self.new_orders)
        if self.changed_orders:
            now = timezone.now()
            for order in self.changed_orders:
                order.updated_at = now
            im.Order.objects.bulk_update(self.changed_orders, ORDER_FIELDS + ["updated_at"])
        if self.stale_lines:
            im.OrderLine.objects.filter(pk__in=self.stale_lines).delete()
        for order, line in self.new_lines:
            line.order = order
        if self.new_lines:
            insert_objects(im.OrderLine, [line for _order, line in self.new_lines])
        if self.changed_lines:
            im.OrderLine.objects.bulk_update(self.changed_lines, LINE_FIELDS)
        for order, payment in self.new_payments:
            payment.order = order
        if self.new_payments:
            insert_objects(im.Payment, [payment for _order, payment in self.new_payments])
        if self.changed_payments:
            # An import only ever posts a payment (E5): "posted" is never written back as it was read, so an
            # operator's posting made meanwhile is not undone.
            im.Payment.objects.bulk_update(self.changed_payments, [name for name in PAYMENT_FIELDS if name != "posted"])
            newly_posted = [payment.pk for payment in self.changed_payments if payment.posted]
            if newly_posted:
                im.Payment.objects.filter(pk__in=newly_posted, posted=False).update(posted=True)


def item_amount(item: dict, price: Decimal, discount: Decimal, quantity: Decimal) -> Decimal:
    """The line's sum as the CRM counts it: its ``prices`` (price after discounts × quantity) when sent,
    so the lines add up to the order's ``summ`` to the kopeck."""
    prices = item.get("prices")
    if isinstance(prices, list) and prices and all(isinstance(p, dict) for p in prices):
        total = sum((money(p.get("price")) * Decimal(str(p.get("quantity") or 0)) for p in prices), Decimal("0"))
        return total.quantize(Decimal("0.01"))
    return ((price - discount) * quantity).quantize(Decimal("0.01"))


def default_delivery_message(order: im.Order) -> str:
    return stored(gettext_noop(
        "Delivery type %(code)s is not mapped in “B7 · delivery types”: the order is written with the "
        "default delivery method “%(method)s”. Map the type and load the order again.")) % {
        "code": order.delivery_crm_code, "method": im.DeliveryMethod(order.delivery_method).label}


class _Staged:
    def __init__(self, order):
        self.order = order
        self.lines: list[im.OrderLine] = []
        self.kept: set[int] = set()
        self.stale: list[int] = []
        self.payments: list[im.Payment] = []
        self.untouched_payments: list[im.Payment] = []

    def add_line(self, line) -> None:
        self.lines.append(line)
        if line.pk is not None:
            self.kept.add(line.pk)
