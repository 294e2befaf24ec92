"""BonusPlus (seed 004, features H1–H5): client, settings, cashiers, catalog upload, the order window, reserve.

Never imports the RetailCRM adapter (integration.retailcrm, loyalty.retailcrm, integration.models):
the two adapters meet only through integration.documents (posting hooks) and integration.exchange.
"""
