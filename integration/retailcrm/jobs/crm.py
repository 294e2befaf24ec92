"""Every job kind of the product. Each is a thin wrapper: options in, service call, counts out."""

from django.utils.translation import gettext_lazy as _, gettext_noop

from integration.exchange import retry
from integration.exchange.jobs.counters import COUNTER_LABELS
from integration.retailcrm.connection import require_connection
from integration.exchange.jobs.registry import Argument, job_kind
from integration.exchange.messages import of_exception, stored
from integration.exchange.permissions import CHANGE_SETTINGS, RUN_IMPORTS, WRITE_TO_CRM


@job_kind("check-connection", label=_("Check connection"), permission=CHANGE_SETTINGS, precondition=None, timeout=120)
def check_connection_job(ctx):
    from integration.retailcrm.connection import check_and_store

    ok, message, report = check_and_store()
    ctx.message(message, warning=not ok or bool(report and report.transient))
    if report is not None:
        ctx.set_count("missing_scopes", len(report.missing_scopes or []))
        ctx.set_count("shops", len(report.sites or []))
    if not ok:
        raise RuntimeError(message)


@job_kind("sync-references", label=_("Load references from RetailCRM"), precondition=require_connection, permission=RUN_IMPORTS, timeout=600)
def sync_references_job(ctx):
    from integration.retailcrm.client.factory import client_from_settings
    from integration.retailcrm.references import sync_references

    with client_from_settings() as client:
        report = sync_references(client)
    for name, total in report.counts.items():
        ctx.set_count(name, total)
    for book, codes in report.removed.items():
        ctx.message(stored(gettext_noop(
            "Removed in RetailCRM (%(book)s): %(codes)s")) % {"book": COUNTER_LABELS.get(book, book), "codes": ", ".join(codes)}, warning=True)
    for book, codes in report.unmapped.items():
        ctx.message(stored(gettext_noop(
            "Not mapped yet (%(book)s): %(codes)s")) % {"book": COUNTER_LABELS.get(book, book), "codes": ", ".join(codes)})


@job_kind("register-module", label=_("Register integration module"), precondition=require_connection, permission=WRITE_TO_CRM, timeout=120,
          arguments=[Argument("public_url", required=True, help=gettext_noop("Address RetailCRM uses to reach this back office"))])
def register_module_job(ctx, public_url=""):
    from integration.retailcrm.client.factory import client_from_settings
    from integration.models import CrmSettings
    from integration.retailcrm.crm_setup import register_module

    if not public_url:
        raise ValueError(stored(gettext_noop("Give the public address of this back office (public_url).")))
    with client_from_settings() as client:
        result = register_module(client, CrmSettings.get_solo(), public_url)
    ctx.message(stored(gettext_noop(
        "Integration module “%(code)s” is registered in RetailCRM.")) % {"code": result["code"]})


@job_kind("create-custom-field", label=_("Create custom field"), precondition=require_connection, permission=WRITE_TO_CRM, timeout=120)
def create_custom_field_job(ctx):
    from integration.retailcrm.client.factory import client_from_settings
    from integration.retailcrm.crm_setup import create_echo_field

    with client_from_settings() as client:
        created, code = create_echo_field(client)
    if created:
        ctx.message(stored(gettext_noop(
            "The order custom field “%(code)s” has been created in RetailCRM.")) % {"code": code})
    else:
        ctx.message(stored(gettext_noop(
            "The order custom field “%(code)s” already exists in RetailCRM.")) % {"code": code})


@job_kind("import-order", label=_("Load one order by CRM id"), precondition=require_connection, permission=RUN_IMPORTS, queue="orders", timeout=300,
          rerun_if_running=True, switch="import_orders", scope_label=_("Order id in RetailCRM"),
          arguments=[Argument("id", type=int, required=True, help=gettext_noop("The order's id in RetailCRM (from its address: /orders/ID/edit)"))])
def import_order_job(ctx, id):
    """E3: load one order regardless of changes; also what the webhook (E7) queues."""
    from integration.retailcrm.client.errors import CrmNotFound
    from integration.retailcrm.client.factory import client_from_settings
    from integration.models import ExchangeEvent
    from integration.retailcrm.orders.apply import OrderParked, mark_deleted_in_crm, sync_order_from_crm
    from integration.retailcrm.orders.waiting import settle_one

    from integration.exchange.locks import entity_lock
    from integration.retailcrm.orders.export_conflicts import before_import

    # Under the order's lock, fetched inside it: an export of the order never lands between our read and write.
    with client_from_settings() as client, entity_lock("order", int(id)):
        try:
            current = {int(id): client.order(int(id), by="id")}
        except CrmNotFound:
            local = mark_deleted_in_crm(int(id))
            settle_one(ctx.run, int(id))
            # A typo'd id or an order deleted there: the run did its job and says so (a warning, not a failure).
            message = stored(gettext_noop("Order %(id)s does not exist in RetailCRM (deleted?).")) % {"id": id}
            ctx.event(entity="order", crm_id=id, local_ref=local or "", result=ExchangeEvent.Result.FAILED, message=message)
            ctx.message(message, warning=True)
            return
        before_import(client, ctx, [int(id)], current)  # a posted local change not yet exported goes first
        data = current[int(id)]
        try:
            result = sync_order_from_crm(data)
        except OrderParked as exc:
            result = exc
    if isinstance(result, OrderParked):
        exc = result
        settle_one(ctx.run, int(id))
        ctx.count("parked")
        ctx.event(entity="order", crm_id=id, result=ExchangeEvent.Result.PARKED, message=of_exception(exc),
                  local_ref=data.get("number", ""))
        retry.park("retailcrm", "order", int(id), message=of_exception(exc), run=ctx.run, local_ref=data.get("number", ""))
        ctx.message(of_exception(exc), warning=True)
        return
    settle_one(ctx.run, int(id), skipped=data if result.result == ExchangeEvent.Result.SKIPPED else None)
    if retry.settle("retailcrm", "order", [id]):
        ExchangeEvent.objects.filter(entity="order", crm_id=str(id), result=ExchangeEvent.Result.PARKED,
                                     resolved=False).update(resolved=True)
    ctx.count(result.result)
    ctx.event(entity="order", crm_id=id, result=result.result, local_ref=result.order or "", message=result.message)
    if result.message:
        ctx.message(result.message, warning=result.warning or result.result == ExchangeEvent.Result.SKIPPED)
    elif result.order is not None:
        ctx.message(stored(gettext_noop("Posted: order %(number)s of %(date)s.")) % {
            "number": result.order.number, "date": result.order.date.strftime("%d.%m.%Y")})


def _date(value: str):
    from datetime import datetime

    from django.utils import timezone

    parsed = datetime.fromisoformat(value)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@job_kind("import-orders", label=_("Import orders from RetailCRM"), precondition=require_connection, permission=RUN_IMPORTS, queue="orders",
          timeout=3600, switch="import_orders",
          arguments=[Argument("since", type=str, help=gettext_noop("Load orders changed since this date (YYYY-MM-DD), then keep the cursor"))])
def import_orders_job(ctx, since=None):
    """E1/E2: the history feed from the stored cursor, or from a date; refused while B1 is empty."""
    from integration.retailcrm.client.factory import client_from_settings
    from integration.exchange.jobs.runner import JobRefused
    from integration.retailcrm.orders.history import import_from_history
    from integration.retailcrm.orders.waiting import EmptyStatusTable

    with client_from_settings() as client:
        try:
            import_from_history(client, ctx, since=_date(since) if since else None)
        except EmptyStatusTable as exc:
            raise JobRefused(of_exception(exc)) from None
