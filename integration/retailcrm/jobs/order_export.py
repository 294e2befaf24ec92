"""F1/F5 job kind: send the changes of every posted or unposted CRM-born order that is due.

Queued after a posting and scheduled (every 5 minutes by default): an order left due by a failed
run, or by a posting whose run never reached the queue, is sent by the next tick.
"""

from django.utils.translation import gettext_lazy as _

from integration.exchange.jobs.registry import job_kind
from integration.exchange.permissions import WRITE_TO_CRM
from integration.retailcrm.connection import require_connection


# rerun_if_running: a posting while a run goes through the due orders may come after its last look.
@job_kind("export-order-changes", label=_("Export order changes to RetailCRM"), precondition=require_connection, permission=WRITE_TO_CRM,
          queue="orders", timeout=3 * 3600, rerun_if_running=True, switch="export_order_changes")
def export_order_changes_job(ctx):
    from integration.retailcrm.client.factory import client_from_settings
    from integration.retailcrm.orders.export import export_pending

    with client_from_settings() as client:
        export_pending(client, ctx)
