"""Every counter a job writes has a label in integration/exchange/jobs/counters.py (no machine keys on the pages)."""

import re
from pathlib import Path

from integration.exchange.jobs.counters import COUNTER_LABELS
from integration.models import ExchangeEvent
from integration.retailcrm.references import BOOKS
from loyalty.retailcrm.registration import Result as LoyaltyResult

ROOT = Path(__file__).resolve().parents[2]
LITERAL_COUNT = re.compile(r"""\b(?:count|set_count)\(\s*["']([a-z_]+)["']""")


def _keys_written_in_the_code() -> set[str]:
    keys = set()
    for folder in ("integration", "catalog", "loyalty"):
        for path in (ROOT / folder).rglob("*.py"):
            keys.update(LITERAL_COUNT.findall(path.read_text(encoding="utf-8")))
    return keys


def test_every_literal_counter_has_a_label():
    keys = _keys_written_in_the_code()
    assert {"entries_read", "orders_parked", "peak_kb", "missing_scopes"} <= keys  # the scan sees the jobs
    assert sorted(keys - set(COUNTER_LABELS)) == []


def test_counters_named_after_results_and_books_have_labels():
    results = {value for value, _label in ExchangeEvent.Result.choices}
    computed = results | {f"orders_{result}" for result in results} | set(BOOKS) | {"users", "managers_matched",
               "export_statuses_preloaded", "products", "services", "categories", "refusals"}
    computed |= {value for name, value in vars(LoyaltyResult).items() if name.isupper()}
    assert sorted(computed - set(COUNTER_LABELS)) == []
