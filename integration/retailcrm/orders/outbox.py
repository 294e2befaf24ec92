"""What posting a payment document, sale or return sends to RetailCRM (F2–F4), and when.

An operator's posting marks the document "waiting for export" in the posting's own transaction
(when its exchange mode is on), and the subscriber queues the export job after commit. Postings
made by an import (source "import") are the CRM's own state and are never sent back.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from integration.documents import posting
from integration.documents.models.orders import Order, Payment, Return, Sale
from integration.exchange.jobs import enqueue, get_kind
from integration.exchange.jobs.runner import check_permitted
from integration.exchange.models import ExchangeEvent, JobRun
from integration.retailcrm.models.settings import CrmSettings

# model → (A3 switch, job kind)
EXPORTS = {
    Payment: ("export_payments", "export-payments"),
    Sale: ("export_sales", "export-sales"),
    Return: ("export_returns", "export-returns"),
}


def export_switched_on(model) -> bool:
    switch, _kind = EXPORTS[model]
    return bool(getattr(CrmSettings.get_solo(), switch))


def check_may_post(document, user) -> None:
    """A person posting a document that would be sent needs the export job's permission (JobNotPermitted)."""
    if export_switched_on(type(document)):
        check_permitted(get_kind(EXPORTS[type(document)][1]), user)


@transaction.atomic
def post_document(document, *, user=None) -> None:
    """Post as an operator: checked, marked for export when its mode is on, exported after commit."""
    check_may_post(document, user)
    document.export_pending = export_switched_on(type(document))
    posting.post(document, user=user, source="operator")


@transaction.atomic
def unpost_document(document, *, user=None) -> bool:
    type(document).objects.filter(pk=document.pk).update(export_pending=False)
    document.export_pending = False
    return posting.unpost(document, user=user, source="operator")


def _queue_export(document, event: posting.Posting) -> None:
    if event.source == "import" or not document.export_pending:
        return
    user = get_user_model().objects.filter(pk=event.user_id).first() if event.user_id else None
    enqueue(EXPORTS[type(document)][1], trigger=JobRun.Trigger.BUTTON if user else JobRun.Trigger.COMMAND, user=user)


def _retry_waiting_return(order, event: posting.Posting) -> None:
    """An order parked with "close the order first" (E6) is loaded again as soon as it is posted closed."""
    if not (order.closed and order.crm_id):
        return
    parked = ExchangeEvent.objects.filter(entity="order", crm_id=str(order.crm_id), result=ExchangeEvent.Result.PARKED,
                                          resolved=False).exists()
    if parked:
        enqueue("import-order", trigger=JobRun.Trigger.COMMAND, scope=str(order.crm_id), options={"id": order.crm_id})


def connect() -> None:
    """Called from IntegrationConfig.ready."""
    for model in EXPORTS:
        posting.subscribe(model, posting.POSTED, _queue_export)
    posting.subscribe(Order, posting.POSTED, _retry_waiting_return)
