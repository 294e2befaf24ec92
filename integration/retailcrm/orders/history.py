"""E1: importing orders from the history feed, page by page, from the stored cursor.

For each page: drop the entries made with our own key (the echo loop, E8), collect the orders
that changed, fetch their current state in batches of 100, apply each, and move the cursor —
all of the page's writes and the cursor in one transaction, so a crash at any point replays
the page and ends in the same state. Orders that could not be applied are parked and retried
at the start of every run; orders skipped for their status wait in their own queue
(``waiting.py``) until B1 lists it.
"""

import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from integration import models as im
from integration.exchange import retry
from integration.exchange.messages import for_text, stored
from integration.retailcrm.orders.apply import ReferenceData, apply_orders, mark_deleted_in_crm
from integration.retailcrm.orders.waiting import EmptyStatusTable, WaitingOrders, empty_table_refusal, retry_waiting
from integration.exchange.locks import entity_locks
from integration.exchange.readahead import ReadAhead
from integration.retailcrm.crm_setup import ECHO_FIELD_CODE
from integration.retailcrm.orders.export_conflicts import before_import

Result = im.ExchangeEvent.Result
SYSTEM = "retailcrm"


ECHO_FIELD = f"custom_{ECHO_FIELD_CODE}"


def is_own_entry(entry: dict) -> bool:
    api_key = entry.get("apiKey")
    return entry.get("source") == "api" and isinstance(api_key, dict) and api_key.get("current") is True


def own_entries(entries: list[dict]) -> list[dict]:
    """Entries we made (E8): with our key, or in an API change set that flipped our custom field (B10) —
    which also catches our edits made with a key since replaced, for which ``current`` is false."""
    marked = {(_order_id(entry), entry.get("createdAt")) for entry in entries
              if isinstance(entry, dict) and entry.get("source") == "api" and entry.get("field") == ECHO_FIELD}
    return [entry for entry in entries if isinstance(entry, dict) and (is_own_entry(entry) or (
        entry.get("source") == "api" and (_order_id(entry), entry.get("createdAt")) in marked))]


def _order_id(entry: dict):
    order = entry.get("order")
    return order.get("id") if isinstance(order, dict) else None


def changed_order_ids(entries: list[dict]) -> tuple[list[int], set[int]]:
    """Order ids in first-seen order, and the ids whose deletion the page reports."""
    ids, deleted = [], set()
    for entry in entries:
        order = entry.get("order") if isinstance(entry, dict) else None
        order_id = order.get("id") if isinstance(order, dict) else None
        if type(order_id) is not int or order_id <= 0:  # bool is an int too; a malformed entry is skipped
            continue
        if order_id not in ids:
            ids.append(order_id)
        if entry.get("deleted"):
            deleted.add(order_id)
    return ids, deleted


def apply_page(ctx, ids: list[int], current: dict[int, dict], refs: ReferenceData,
               waiting: WaitingOrders | None = None) -> None:
    """Apply the orders ``ids`` (their current data in ``current``; missing means deleted in the CRM)."""
    events, skipped, handled = [], [], []
    present = [crm_id for crm_id in ids if crm_id in current]
    outcomes = dict(zip(present, apply_orders([current[crm_id] for crm_id in present], refs))) if present else {}
    resolved = []
    for crm_id in ids:
        outcome = outcomes.get(crm_id)
        if outcome is None:
            order = mark_deleted_in_crm(crm_id)
            events.append({"entity": "order", "crm_id": crm_id, "local_ref": order or "", "result": Result.INFO,
                           "message": stored(gettext_noop(
                               "Deleted in RetailCRM; the local order is kept and marked."))})
            ctx.count("orders_deleted")
            handled.append(crm_id)
            continue
        if outcome.result == Result.SKIPPED:
            skipped.append(current[crm_id])
        else:
            handled.append(crm_id)
        if outcome.result == Result.PARKED and crm_id in refs.parked_ids:
            # Still parked: the queue counts the attempt and its open event says so, instead of a new row every run.
            retry.park(SYSTEM, "order", crm_id, message=outcome.message, run=ctx.run, local_ref=outcome.number or "")
            im.ExchangeEvent.objects.filter(entity="order", crm_id=str(crm_id), result=Result.PARKED, resolved=False) \
                .update(retry_count=F("retry_count") + 1, message=for_text(outcome.message), run=ctx.run)
            ctx.warnings += 1
            ctx.count("orders_parked")
            continue
        if outcome.result == Result.PARKED:
            refs.parked_ids.add(crm_id)
            retry.park(SYSTEM, "order", crm_id, message=outcome.message, run=ctx.run, local_ref=outcome.number or "")
            local_ref = outcome.number
        else:
            if crm_id in refs.parked_ids:
                resolved.append(str(crm_id))
                refs.parked_ids.discard(crm_id)
            local_ref = outcome.order or ""
        events.append({"entity": "order", "crm_id": crm_id, "local_ref": local_ref, "result": outcome.result,
                       "message": outcome.message})
        ctx.count(f"orders_{outcome.result}")
        if outcome.warning:
            ctx.warnings += 1
            ctx.count("orders_with_defaults")
    if resolved:
        retry.settle(SYSTEM, "order", resolved)
        im.ExchangeEvent.objects.filter(entity="order", crm_id__in=resolved, result=Result.PARKED,
                                        resolved=False).update(resolved=True)
    ctx.events(events)
    (waiting or WaitingOrders()).update(ctx.run, skipped=skipped, handled=handled, table_empty=not refs.status_mappings)


@contextmanager
def exclusive(client, ctx, ids: list[int], current: dict[int, dict], fetched_at: float | None):
    """Hold the orders' entity locks (an export of one of them waits) and send any posted local change of
    theirs not yet exported first (``export_conflicts``). Taken before the page's transaction opens: with
    SQLite's immediate transactions a transaction waiting for a lock would hold the database's write lock."""
    with entity_locks("order", ids):
        before_import(client, ctx, ids, current, fetched_at)
        yield


def _fetch(client, ids: list[int]) -> dict[int, dict]:
    return {int(order["id"]): order for order in client.orders_by_ids(ids)}


def retry_parked(client, ctx, refs: ReferenceData, waiting: WaitingOrders | None = None) -> None:
    ids = sorted({int(crm_id) for crm_id in retry.waiting(SYSTEM, "order") if crm_id.isdigit()})
    refs.parked_ids = set(ids)
    if not ids:
        return
    fetched_at = time.time()
    current = _fetch(client, ids)
    for start in range(0, len(ids), 100):
        chunk = ids[start:start + 100]
        with exclusive(client, ctx, chunk, current, fetched_at), transaction.atomic():
            apply_page(ctx, chunk, current, refs, waiting)
        ctx.count("retried", len(chunk))


@dataclass
class FeedPage:
    """One page of the feed with the current state of the orders it names (read ahead, no database)."""

    last_id: int
    entries: int
    own_entries: int
    ids: list[int]
    current: dict[int, dict]
    fetched_at: float = field(default_factory=time.time)  # before the orders were fetched


def read_feed(client, *, since_id, start_date):
    """The feed page by page, each with its orders fetched (100 per request)."""
    for page in client.iter_history(since_id=since_id, start_date=start_date, limit=100):
        own = {id(entry) for entry in own_entries(page.entries)}
        foreign = [entry for entry in page.entries if isinstance(entry, dict) and id(entry) not in own]
        ids, deleted = changed_order_ids(foreign)
        fetched_at = time.time()
        current = _fetch(client, [crm_id for crm_id in ids if crm_id not in deleted]) if ids else {}
        yield FeedPage(page.last_id, len(page.entries), len(page.entries) - len(foreign), ids, current, fetched_at)


def import_from_history(client, ctx, *, since=None) -> None:
    """Read the feed from the stored cursor (or from ``since``) to its end.

    With an empty B1 nothing is read and the cursor stays (EmptyStatusTable): every order would be
    skipped. Otherwise the waiting orders whose status B1 now lists are imported first."""
    crm_settings = im.CrmSettings.get_solo()
    cursor = None if since else crm_settings.history_since_id
    if cursor is None and not since and crm_settings.history_start_date is None:
        # The very first run starts "now": pin that moment, so changes made before the first page
        # that moves the cursor (an empty feed, a refused run) are still read by the next run.
        crm_settings.history_start_date = timezone.now()
        im.CrmSettings.objects.filter(pk=crm_settings.pk).update(history_start_date=crm_settings.history_start_date)
    start = since or (None if cursor is not None else crm_settings.history_start_date)
    ctx.set_cursor(before=cursor if cursor is not None else "")
    refusal = empty_table_refusal()
    if refusal:
        raise EmptyStatusTable(refusal)
    refs = ReferenceData()
    waiting = WaitingOrders.load()
    retry_parked(client, ctx, refs, waiting)
    retry_waiting(client, ctx, refs, waiting, apply_page)
    # The next page is read while this one is written: the API's rate limit, not our writes, sets the pace.
    with ReadAhead(read_feed(client, since_id=cursor, start_date=_crm_time(start) if start else None)) as pages:
        for page in pages:
            ctx.count("entries_read", page.entries)
            ctx.count("own_entries_skipped", page.own_entries)
            with exclusive(client, ctx, page.ids, page.current, page.fetched_at), transaction.atomic():
                apply_page(ctx, page.ids, page.current, refs, waiting)
                # The cursor moves in the same transaction that applied the page (DESIGN §4).
                im.CrmSettings.objects.filter(pk=crm_settings.pk).update(history_since_id=page.last_id)
            ctx.progress(add=1)  # pages: the feed does not say how many there are
            ctx.set_cursor(after=page.last_id)  # a safe point: a cancelled run stops after the page it applied


def _crm_time(value) -> str:
    """The API takes account-local "Y-m-d H:i:s" times."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if timezone.is_aware(value) else value.strftime("%Y-%m-%d %H:%M:%S")
