"""Loyalty job kinds (G1–G3); registered from LoyaltyConfig.ready(). Thin: options in, service call, counts out."""

from django.utils.translation import gettext_lazy as _, gettext_noop

from integration.retailcrm.connection import require_connection
from integration.exchange.jobs.registry import Argument, job_kind
from integration.exchange.messages import stored
from integration.exchange.permissions import RUN_IMPORTS, WRITE_TO_CRM


def _customer_ids(value) -> list[int]:
    """A list from the admin, or "1,2,3" from ``manage.py exchange``."""
    if isinstance(value, str):
        value = [part for part in value.replace(" ", ",").split(",") if part]
    try:
        return [int(v) for v in value or []]
    except (TypeError, ValueError):
        raise ValueError(stored(gettext_noop("Customer ids must be whole numbers, e.g. 12,15,40."))) from None


@job_kind("refresh-loyalty", label=_("Refresh loyalty programs"), precondition=require_connection, permission=RUN_IMPORTS, timeout=1800,
          switch="loyalty_program")
def refresh_loyalty_job(ctx):
    from integration.retailcrm.client.factory import client_from_settings
    from integration.retailcrm.shops import ShopResolver
    from loyalty.retailcrm.programs import refresh_programs

    # Registration serves every configured shop (each customer in its own), so the programs of all of them.
    sites = [shop.site for shop in ShopResolver().all() if shop.site]
    with client_from_settings() as client:
        report = refresh_programs(client, sites)
    ctx.set_count("programs", report.programs)
    ctx.set_count("accounts", report.accounts)
    for name in report.vanished:
        ctx.message(stored(gettext_noop(
            "The loyalty program %(name)s is no longer offered to the shop in RetailCRM.")) % {"name": name},
                    warning=True)


@job_kind("register-loyalty", label=_("Register customers in the loyalty program"), precondition=require_connection, permission=WRITE_TO_CRM,
          timeout=3 * 3600, switch="loyalty_program",
          arguments=[Argument("customer_ids", required=True, help=gettext_noop("Local customer ids, comma-separated"))])
def register_loyalty_job(ctx, customer_ids=()):
    from integration.retailcrm.client.factory import client_from_settings
    from integration.models import ExchangeEvent
    from loyalty.retailcrm.registration import Result, register_customers

    results = {
        Result.CREATED: ExchangeEvent.Result.CREATED, Result.ALREADY: ExchangeEvent.Result.UNCHANGED,
        Result.FAILED: ExchangeEvent.Result.FAILED, Result.SKIPPED_NO_PHONE: ExchangeEvent.Result.SKIPPED,
        Result.SKIPPED: ExchangeEvent.Result.SKIPPED,
    }

    def report(outcome):
        customer = outcome.customer
        ctx.event(entity="customer", direction=ExchangeEvent.Direction.EXPORT, result=results[outcome.result],
                  crm_id=customer.crm_id or "", local_ref=f"{customer} (#{customer.pk})", message=outcome.message)

    ids = _customer_ids(customer_ids)
    ctx.set_count("customers", len(ids))
    with client_from_settings() as client:
        counts = register_customers(client, ids, report=report)  # each customer in its own shop
    for name in (Result.CREATED, Result.ALREADY, Result.FAILED, Result.SKIPPED_NO_PHONE, Result.SKIPPED):
        ctx.set_count(name, counts.get(name, 0))
    ctx.message(stored(gettext_noop("Registered: %(created)d, already participants: %(already)d, failed: %(failed)d, "
                                    "without a phone: %(no_phone)d.")) % {
        "created": counts.get(Result.CREATED, 0), "already": counts.get(Result.ALREADY, 0),
        "failed": counts.get(Result.FAILED, 0), "no_phone": counts.get(Result.SKIPPED_NO_PHONE, 0)},
        warning=bool(counts.get(Result.FAILED)))
