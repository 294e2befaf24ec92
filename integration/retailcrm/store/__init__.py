"""D1/D2: stock and prices to RetailCRM, in batches of 250 offers, full or only what changed.

* ``scope``    — which shops, catalog groups, CRM stores and price types a run covers (A3, B4, B5, B8);
* catalog/offers.py reads the local catalog chunk by chunk and names offers as the ICML does (C2);
* ``pipeline`` — delta detection against ``OfferExportState``, dense batching, a sender thread
  that overlaps the rate limit with local work, per-offer results in the exchange log;
* ``stock`` / ``prices`` — the two entries and their entry points.
"""

from integration.retailcrm.store.prices import export_prices
from integration.retailcrm.store.stock import export_stock

__all__ = ["export_prices", "export_stock"]
