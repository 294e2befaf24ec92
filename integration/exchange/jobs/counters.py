"""The labels of the counters jobs keep in ``JobRun.counts``: one registry, so every page names them alike.

Jobs count under short machine keys (``orders_parked``, ``peak_kb``); an operator reads these labels
instead. A key without a label (a counter added later and forgotten here) is shown as it is;
``tests/foundation/test_counter_labels.py`` keeps this list in step with what the jobs write.
"""

from django.utils.translation import gettext_lazy as _

COUNTER_LABELS = {
    # order imports (history and single orders): one counter per exchange-event result
    "entries_read": _("history entries read"),
    "own_entries_skipped": _("own changes skipped"),
    "orders_created": _("orders created"),
    "orders_updated": _("orders updated"),
    "orders_unchanged": _("orders unchanged"),
    "orders_skipped": _("orders skipped"),
    "orders_parked": _("orders waiting"),
    "orders_failed": _("orders failed"),
    "orders_info": _("orders noted"),
    "orders_with_defaults": _("orders with default values"),
    "waiting_retried": _("waiting orders retried"),
    "created": _("created"),
    "updated": _("updated"),
    "unchanged": _("unchanged"),
    "skipped": _("skipped"),
    "parked": _("waiting"),
    "failed": _("failed"),
    "info": _("noted"),
    "retried": _("retried"),
    # references
    "sites": _("shops"),
    "status_groups": _("status groups"),
    "statuses": _("statuses"),
    "stores": _("warehouses"),
    "price_types": _("price types"),
    "payment_types": _("payment types"),
    "payment_statuses": _("payment statuses"),
    "delivery_types": _("delivery types"),
    "order_types": _("order types"),
    "order_methods": _("order methods"),
    "users": _("users"),
    "managers_matched": _("managers matched"),
    "export_statuses_preloaded": _("statuses for export filled in"),
    "orders_sent_before_import": _("local changes sent before the import"),
    "missing_scopes": _("missing API permissions"),
    "shops": _("shops"),
    # catalog (ICML) and the stock and price exports
    "offers": _("offers"),
    "products": _("products"),
    "services": _("services"),
    "categories": _("categories"),
    "peak_kb": _("peak memory, KB"),
    "full": _("full upload"),
    "requests": _("requests"),
    "sent": _("sent"),
    "accepted": _("accepted"),
    "not_found": _("not found in RetailCRM"),
    "failed_batches": _("failed requests"),
    "failed_offers": _("offers not sent"),
    # loyalty
    "customers": _("customers"),
    "already": _("already participants"),
    "skipped_no_phone": _("without a phone"),
    "accounts": _("accounts"),
    "programs": _("programs"),
    # housekeeping
    "job_runs_deleted": _("job runs deleted"),
    "events_deleted": _("exchange events deleted"),
    "webhook_requests_deleted": _("webhook requests deleted"),
    "orders_deleted": _("orders deleted"),
    # the runner itself
    "refusals": _("refusals"),
    # BonusPlus (loyalty/bonusplus/jobs.py)
    "groups": _("groups"),
    "bonusplus_unchanged": _("reserve already right"),
    "bonusplus_reserved": _("bonuses reserved"),
    "bonusplus_released": _("bonuses released"),
    "bonusplus_stale": _("orders to calculate again"),
    "bonusplus_registered": _("purchases registered"),
    "bonusplus_already": _("purchases already registered"),
    "bonusplus_nothing": _("sales without BonusPlus data"),
}


def counter_label(key: str) -> str:
    return str(COUNTER_LABELS.get(key, key))


def labelled_counts(counts: dict) -> list[tuple[str, str, object]]:
    """``(key, label, value)`` in the order the registry lists them, unknown keys last."""
    order = {key: position for position, key in enumerate(COUNTER_LABELS)}
    return [(key, counter_label(key), counts[key])
            for key in sorted(counts, key=lambda key: (order.get(key, len(order)), key))]


def counts_summary(counts: dict) -> str:
    """``orders created: 3, orders waiting: 1`` for a list column."""
    return ", ".join(f"{label}: {value}" for _key, label, value in labelled_counts(counts or {}))
