"""What an imported order must satisfy before anything of it is written (E1), and the values read from it.

The reference data (settings, dictionaries, mappings) is read once per run; an order naming an
unknown offer, shop, payment or delivery type is *parked* with a message saying what to fix.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.dateparse import parse_datetime
from django.utils.timezone import get_current_timezone, is_naive, make_aware
from django.utils.translation import gettext_noop

from catalog.offers import resolve_offer
from integration.retailcrm.shops import ShopResolver
from integration import models as im
from integration.exchange.messages import joined, stored


class OrderParked(Exception):
    """The order cannot be applied yet; the message says what the operator must fix."""


@dataclass
class ApplyResult:
    result: str  # an ExchangeEvent.Result value
    order: im.Order | None
    message: str = ""
    warning: bool = False  # written, but with a default the operator should know about


def money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def crm_datetime(value):
    parsed = parse_datetime(value) if value else None
    if parsed is not None and is_naive(parsed):
        parsed = make_aware(parsed, get_current_timezone())  # the CRM sends account-local times
    return parsed


class ReferenceData:
    """Settings, dictionaries and mappings read once per run instead of once per order."""

    def __init__(self):
        self.settings = im.CrmSettings.get_solo()
        self.shops = ShopResolver(self.settings)  # each order takes its shop's organization, warehouse, terms
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
        self.complete_payment_statuses = complete_payment_statuses()
        self._offers: dict[str, tuple | None] = {}
        self.parked_ids: set[int] = set()  # orders with unresolved "parked" events, filled by the feed

    def offer(self, offer_id: str):
        if offer_id not in self._offers:
            self._offers[offer_id] = resolve_offer(offer_id, self.settings.product_id_source)
        return self._offers[offer_id]


def complete_payment_statuses() -> set[str]:
    """Payment statuses the CRM's reference marks ``paymentComplete`` (real accounts: paid, fiskalizirovan…)."""
    codes = set(im.CrmPaymentStatus.objects.filter(payment_complete=True).values_list("code", flat=True))
    if not codes and not im.CrmPaymentStatus.objects.exists():
        # References not loaded since this book was added: the CRM's built-in complete status, until they are.
        codes = {"paid"}
    return codes


def import_status_mapping(crm_status: str, refs: ReferenceData):
    """B1 with the manual's two refusals (000 §6)."""
    if not refs.status_mappings:
        raise LookupError(stored(gettext_noop("The table of statuses for import is empty: orders are not loaded. "
                                              "Open “B1 · statuses for import” and add the statuses to load.")))
    mapping = refs.status_mappings.get(crm_status)
    if mapping is None:
        raise LookupError(stored(gettext_noop(
            "Orders in status %(status)s are not loaded. To load them, add this status to "
            "“B1 · statuses for import”.")) % {"status": crm_status})
    return mapping


def resolve_lines(data: dict, refs: ReferenceData) -> list[tuple[dict, object, object]]:
    id_field = refs.settings.offer_id_field
    resolved, unknown, without_offer = [], [], []
    for item in data.get("items") or []:
        offer = item.get("offer") if isinstance(item.get("offer"), dict) else {}
        offer_id = offer.get(id_field) or offer.get("externalId")
        if not offer:
            without_offer.append(_item_label(item, offer))
            continue
        if not offer_id:  # an offer of the CRM without our identifier: name the item, not "None"
            unknown.append(_item_label(item, offer))
            continue
        found = refs.offer(offer_id)
        if found is None:
            unknown.append(str(offer_id))
        else:
            resolved.append((item, *found))
    messages = []
    if without_offer:
        messages.append(stored(gettext_noop(
            "Items without an offer in RetailCRM: %(items)s. Link the items to catalog offers in "
            "RetailCRM; the order is retried automatically.")) % {"items": joined(without_offer, "; ")})
    if unknown:
        messages.append(stored(gettext_noop(
            "Unknown offers (not in the catalog): %(offers)s. Load the catalog or fix the offer "
            "identifiers; the order is retried automatically.")) % {"offers": ", ".join(unknown)})
    if messages:
        raise OrderParked(joined(messages))
    return resolved


def _item_label(item: dict, offer: dict) -> str:
    """“item 3632 “Chair”” — the CRM item id and whatever product name the CRM sent."""
    name = item.get("productName") or offer.get("displayName") or offer.get("name")
    if name:
        return stored(gettext_noop("item %(id)s “%(name)s”")) % {"id": item.get("id"), "name": name}
    return stored(gettext_noop("item %(id)s (no product name)")) % {"id": item.get("id")}


def order_payments(data: dict) -> list:
    """The API sends payments as an object keyed by id; older answers and our tests use a list."""
    payments = data.get("payments") or []
    return list(payments.values()) if isinstance(payments, dict) else payments


def check_references(data: dict, refs: ReferenceData) -> None:
    site = data.get("site")
    if site and site not in refs.sites:
        raise OrderParked(stored(gettext_noop(
            "Unknown shop %(site)s: load the references from RetailCRM.")) % {"site": site})
    delivery = (data.get("delivery") or {}).get("code")
    if delivery and delivery not in refs.delivery_codes:
        raise OrderParked(stored(gettext_noop(
            "Unknown delivery type %(code)s: load the references from RetailCRM.")) % {"code": delivery})
    for payment in order_payments(data):
        code = payment.get("type")
        if code and code not in refs.payment_codes:
            raise OrderParked(stored(gettext_noop(
                "Unknown payment type %(code)s: load the references from RetailCRM.")) % {"code": code})
