"""Orders skipped for their status (B1) are remembered, not lost (E9).

The history cursor moves past a skipped order, so the ``SkippedOrder`` queue is what brings it
back: each import-orders run first re-fetches the waiting orders whose status B1 now lists, and an
order that changes again comes back through the feed or the webhook anyway. Every import of an
order (whatever its outcome but "skipped") takes it off the queue.
"""

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_noop

from integration import models as im
from integration.exchange.messages import stored

BATCH = 100  # orders per "orders?filter[ids][]" request


class EmptyStatusTable(Exception):
    """B1 lists no status at all: an import would only skip orders (000 §6)."""


def empty_table_refusal() -> str | None:
    """The manual's message when B1 is empty, else None."""
    if im.StatusImportMapping.objects.exists():
        return None
    return stored(gettext_noop("The table of statuses for import is empty: orders are not loaded. "
                               "Open “B1 · statuses for import” and add the statuses to load."))


def _text(value, length: int) -> str:
    """A CRM value as a column takes it: PostgreSQL refuses NUL in text, so it is shown as \\x00."""
    return str(value or "").replace("\x00", "\\x00")[:length]


class WaitingOrders:
    """The queue as one run sees it; ``ids`` (when loaded) spares a DELETE per page that has nothing to take off."""

    def __init__(self, ids: set[int] | None = None):
        self.ids = ids

    @classmethod
    def load(cls) -> "WaitingOrders":
        return cls(set(im.SkippedOrder.objects.values_list("crm_id", flat=True)))

    def update(self, run, *, skipped: list[dict], handled: list[int], table_empty: bool) -> None:
        """File the orders ``skipped`` (their CRM data) and take the ``handled`` ids off the queue."""
        gone = handled if self.ids is None else [crm_id for crm_id in handled if crm_id in self.ids]
        if gone:
            im.SkippedOrder.objects.filter(crm_id__in=gone).delete()
            if self.ids is not None:
                self.ids.difference_update(gone)
        if not skipped:
            return
        reason = im.SkippedOrder.Reason.EMPTY_TABLE if table_empty else im.SkippedOrder.Reason.NOT_LISTED
        now = timezone.now()
        rows = [im.SkippedOrder(
            crm_id=int(data["id"]), crm_number=_text(data.get("number"), 50),
            crm_site=_text(data.get("site"), 100), crm_status=_text(data.get("status"), 100),
            reason=reason, first_skipped_at=now, last_skipped_at=now, run=run,
        ) for data in skipped]
        # One upsert: a concurrent import (webhook and feed) filing the same order never fails the page.
        im.SkippedOrder.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["crm_id"],
            update_fields=["crm_number", "crm_site", "crm_status", "reason", "last_skipped_at", "run"],
        )
        if self.ids is not None:
            self.ids.update(row.crm_id for row in rows)


def settle_one(run, crm_id: int, *, skipped: dict | None = None) -> None:
    """After loading one order by id: file it when ``skipped`` (its CRM data), else take it off the queue."""
    table_empty = skipped is not None and not im.StatusImportMapping.objects.exists()
    WaitingOrders().update(run, skipped=[skipped] if skipped else [], handled=[] if skipped else [crm_id],
                           table_empty=table_empty)


def eligible_ids(listed_statuses) -> list[int]:
    """Waiting orders whose status B1 lists now."""
    return list(im.SkippedOrder.objects.filter(crm_status__in=list(listed_statuses))
                .order_by("crm_id").values_list("crm_id", flat=True))


def retry_waiting(client, ctx, refs, waiting: WaitingOrders, apply_page) -> None:
    """Re-fetch (100 per request) and apply the waiting orders whose status is now listed."""
    ids = eligible_ids(refs.status_mappings)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        current = {int(order["id"]): order for order in client.orders_by_ids(chunk)}
        with transaction.atomic():
            apply_page(ctx, chunk, current, refs, waiting)
        ctx.count("waiting_retried", len(chunk))


def waiting_by_status() -> list[dict]:
    """How many orders wait, per CRM status and reason (the dashboard's "why"), most first."""
    names = dict(im.CrmStatus.objects.values_list("code", "name"))
    rows = (im.SkippedOrder.objects.values("crm_status", "reason").annotate(count=Count("id"))
            .order_by("-count", "crm_status"))
    return [{**row, "name": names.get(row["crm_status"], row["crm_status"])} for row in rows]


def waiting_count(statuses) -> int:
    return im.SkippedOrder.objects.filter(crm_status__in=list(statuses)).count()
