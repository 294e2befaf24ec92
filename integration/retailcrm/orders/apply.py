"""Applying CRM orders to the back office (E1/E3): ``sync_order_from_crm(data)`` for one order,
``apply_orders(page)`` for a page of the history feed.

Everything is validated before anything is written, and the write is one transaction: an
order with an unknown offer, shop, payment or delivery type is *parked* (nothing written, a
specific message in the exchange log) and tried again on a later run.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from integration import models as im
from integration.exchange.messages import of_exception, stored
from integration.retailcrm.orders.batch import OrderBatch
from integration.retailcrm.orders.rules import ApplyResult, OrderParked, ReferenceData

__all__ = ["ApplyResult", "OrderParked", "Outcome", "ReferenceData", "apply_orders", "mark_deleted_in_crm",
           "sync_order_from_crm"]


def sync_order_from_crm(data: dict, refs: ReferenceData | None = None) -> ApplyResult:
    """Create or update the local order from the CRM's current order ``data`` (raises OrderParked)."""
    refs = refs or ReferenceData()
    try:
        with transaction.atomic():
            return _apply_alone(data, refs)
    except IntegrityError:
        # A concurrent import created the same order (or customer) first: ours becomes an update.
        with transaction.atomic():
            return _apply_alone(data, refs)


def _apply_alone(data: dict, refs: ReferenceData) -> ApplyResult:
    batch = OrderBatch([data], refs)
    result = batch.plan(data)
    batch.write()
    return result


@dataclass
class Outcome:
    """What happened to one order of a page: an ExchangeEvent result, the order, a message."""

    crm_id: int
    result: str
    order: im.Order | None = None
    message: str = ""
    number: str = ""
    warning: bool = False  # written with a default (e.g. an unmapped delivery type)


def apply_orders(orders: list[dict], refs: ReferenceData) -> list[Outcome]:
    """Apply a page of CRM orders with a handful of queries; one bad order never spoils the others.

    The page is planned in memory (each order validated on its own; an invalid one is parked) and
    written in bulk. If the bulk write fails — a concurrent import got there first, or a value the
    database refuses — the page is applied again order by order, each in its own savepoint.
    """
    try:
        with transaction.atomic():
            batch = OrderBatch(orders, refs)
            outcomes = [_planned(batch, data) for data in orders]
            batch.write()
            return outcomes
    except Exception:  # noqa: BLE001 - the savepoint is rolled back; order by order finds the culprit
        pass
    return [_alone(data, refs) for data in orders]


def _planned(batch: "OrderBatch", data: dict) -> Outcome:
    crm_id = data["id"]
    try:
        result = batch.plan(data)
    except OrderParked as exc:
        return Outcome(crm_id, im.ExchangeEvent.Result.PARKED, message=of_exception(exc), number=_number_of(data))
    except Exception as exc:  # malformed order data: recorded, retried later, the page goes on
        return Outcome(crm_id, im.ExchangeEvent.Result.PARKED, message=_malformed(exc), number=_number_of(data))
    return Outcome(crm_id, result.result, result.order, result.message, warning=result.warning)


def _alone(data: dict, refs: ReferenceData) -> Outcome:
    crm_id = data["id"]
    try:
        result = sync_order_from_crm(data, refs)
    except OrderParked as exc:
        return Outcome(crm_id, im.ExchangeEvent.Result.PARKED, message=of_exception(exc), number=_number_of(data))
    except Exception as exc:
        return Outcome(crm_id, im.ExchangeEvent.Result.PARKED, message=_malformed(exc), number=_number_of(data))
    return Outcome(crm_id, result.result, result.order, result.message, warning=result.warning)


def _malformed(exc: Exception) -> str:
    return stored(gettext_noop("Could not apply the order: %(error)s")) % {"error": f"{exc.__class__.__name__}: {exc}"}


def _number_of(data: dict) -> str:
    number = data.get("number")
    return str(number)[:50] if number is not None else ""

def mark_deleted_in_crm(crm_id: int) -> im.Order | None:
    """The CRM deleted the order: keep ours (it may have documents) but say so."""
    order = im.Order.objects.filter(crm_id=crm_id).first()
    if order is not None and not order.deleted_in_crm:
        order.deleted_in_crm = True
        order.save(update_fields=["deleted_in_crm"])
    return order
