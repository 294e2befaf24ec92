"""D1/D2 job kinds: stock and price export to RetailCRM (buttons, schedule, ``manage.py exchange``)."""

from django.utils.translation import gettext_lazy as _, gettext_noop

from integration.retailcrm.connection import require_connection
from integration.exchange.jobs.registry import Argument, job_kind
from integration.exchange.permissions import RUN_EXPORTS

FULL = Argument("full", flag=True, help=gettext_noop("Send every offer, not only the ones changed since the last upload"))


@job_kind("export-stock", label=_("Export stock to RetailCRM"), precondition=require_connection, permission=RUN_EXPORTS, queue="export",
          timeout=3 * 3600, arguments=[FULL], switch="export_stock")
def export_stock_job(ctx, full=False):
    from integration.retailcrm.client.factory import client_from_settings
    from integration.retailcrm.store import export_stock

    with client_from_settings() as client:
        export_stock(client, ctx, full=bool(full))


@job_kind("export-prices", label=_("Export prices to RetailCRM"), precondition=require_connection, permission=RUN_EXPORTS, queue="export",
          timeout=3 * 3600, arguments=[FULL], switch="export_prices")
def export_prices_job(ctx, full=False):
    from integration.retailcrm.client.factory import client_from_settings
    from integration.retailcrm.store import export_prices

    with client_from_settings() as client:
        export_prices(client, ctx, full=bool(full))
