"""The RetailCRM adapter's lines on the exchange dashboard ("Needs attention").

Each count reads the rows its producer writes: the retry queue's parked orders (one row per
order, kept apart from the log), the stock and price exports' not-found offer events (one per offer and run,
by the offer id they keep in ``local_ref``; ``crm_id`` stays empty there), orders written with the
default delivery method, orders waiting for their status, and CRM codes with no mapping row.
"""

from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from integration.documents.models import Order
from integration.exchange import dashboard, retry
from integration.exchange.models import ExchangeEvent

Result = ExchangeEvent.Result
SYSTEM = "retailcrm"
CODES_SHOWN = 5


def _changelist(model_name: str, **filters) -> str:
    url = reverse(f"admin:integration_{model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _problems() -> dict[str, int]:
    """Parked orders (the retry queue) and unresolved not-found offers (each offer once)."""
    unresolved = ExchangeEvent.objects.filter(resolved=False, entity="offer", result=Result.FAILED)
    return {
        "parked_orders": retry.waiting_count(SYSTEM, "order"),
        "not_found_offers": unresolved.aggregate(count=Count("local_ref", distinct=True))["count"],
    }


def _waiting_lines() -> list[dashboard.AttentionLine]:
    """Orders skipped for their status, one line per status and reason, with the manual's words."""
    from integration.retailcrm.models import SkippedOrder
    from integration.retailcrm.orders.waiting import waiting_by_status

    lines = []
    for row in waiting_by_status():
        why = SkippedOrder(crm_status=row["crm_status"], reason=row["reason"]).message  # translated now, for the reader
        lines.append(dashboard.AttentionLine(
            key=f"waiting-{row['crm_status']}", count=row["count"], link_text=str(why),
            title=_("Orders waiting for their status: %(name)s (%(code)s)") % {
                "name": row["name"], "code": row["crm_status"]},
            url=_changelist("skippedorder", crm_status=row["crm_status"], reason__exact=row["reason"]),
        ))
    return lines


def _unmapped_lines(viewer: dashboard.Viewer) -> list[dashboard.AttentionLine]:
    """One line per dictionary with unmapped entries whose mapping page the reader can open
    (a mode that is off, price types or organizations, hides its page, so its line too)."""
    from integration.retailcrm.references import UNMAPPED, unmapped_codes

    lines = []
    for book in UNMAPPED:
        codes = unmapped_codes(book)
        if not codes:
            continue
        crm_model, relation = UNMAPPED[book]
        mapping_model = crm_model._meta.get_field(relation).related_model
        if not viewer.can_open(mapping_model):
            continue
        lines.append(dashboard.AttentionLine(
            key=f"unmapped-{book}", count=len(codes), codes=tuple(codes[:CODES_SHOWN]),
            title=_("Without mapping: %(title)s") % {"title": mapping_model._meta.verbose_name_plural},
            url=_changelist(mapping_model._meta.model_name),
        ))
    return lines


def attention_lines(viewer: dashboard.Viewer) -> list[dashboard.AttentionLine]:
    counts = _problems()
    return [
        dashboard.AttentionLine(
            key="parked-orders", title=_("Orders parked for retry"), count=counts["parked_orders"],
            link_text=_("Show the orders"),
            url=_changelist("retryentry", system__exact=SYSTEM, entity__exact="order"),
        ),
        dashboard.AttentionLine(
            key="default-delivery-orders", title=_("Orders written with the default delivery method"),
            count=Order.objects.filter(delivery_defaulted=True).count(), link_text=_("Show the orders"),
            url=_changelist("order", delivery_defaulted__exact=1),
        ),
        dashboard.AttentionLine(
            key="not-found-offers", title=_("Offers not found in RetailCRM"), count=counts["not_found_offers"],
            link_text=_("Show the events"),
            url=_changelist("exchangeevent", entity="offer", result__exact=Result.FAILED, resolved__exact=0),
        ),
        *_waiting_lines(),
        *_unmapped_lines(viewer),
    ]


def connect() -> None:
    dashboard.register(attention_lines)
