"""Job kinds that send posted documents to RetailCRM (F2–F4); queued after an operator posts one.

They are also scheduled (every 5 minutes by default, a data migration's rows): a run that failed on the
network leaves its documents waiting, and the next tick sends them; with nothing waiting a run
sends no request. A tick meeting a posting's run joins it or asks for one more run (rerun_if_running).
"""

from django.utils.translation import gettext_lazy as _

from integration.retailcrm.connection import require_connection
from integration.exchange.jobs.registry import job_kind
from integration.exchange.permissions import WRITE_TO_CRM


@job_kind("export-payments", label=_("Export payments to RetailCRM"), precondition=require_connection, permission=WRITE_TO_CRM, queue="orders",
          timeout=1800, rerun_if_running=True, switch="export_payments")
def export_payments_job(ctx):
    from integration.retailcrm.client.factory import client_from_settings
    from integration.retailcrm.orders.payments import export_payments

    with client_from_settings() as client:
        export_payments(client, ctx)


@job_kind("export-sales", label=_("Export sales to RetailCRM"), precondition=require_connection, permission=WRITE_TO_CRM, queue="orders",
          timeout=1800, rerun_if_running=True, switch="export_sales")
def export_sales_job(ctx):
    from integration.retailcrm.client.factory import client_from_settings
    from integration.retailcrm.orders.sales import export_sales

    with client_from_settings() as client:
        export_sales(client, ctx)


@job_kind("export-returns", label=_("Export returns to RetailCRM"), precondition=require_connection, permission=WRITE_TO_CRM, queue="orders",
          timeout=1800, rerun_if_running=True, switch="export_returns")
def export_returns_job(ctx):
    from integration.retailcrm.client.factory import client_from_settings
    from integration.retailcrm.orders.returns import export_returns

    with client_from_settings() as client:
        export_returns(client, ctx)
