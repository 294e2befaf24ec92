"""BonusPlus job kinds (H2, H4); found through LoyaltyConfig.job_modules. Thin: options in, service, counts out."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _, gettext_noop

from integration.exchange.jobs.registry import Argument, job_kind
from integration.exchange.messages import stored
from integration.exchange.permissions import EXPORT_BONUSPLUS_CATALOG as EXPORT_CATALOG, USE_BONUSPLUS
from loyalty.bonusplus.readiness import require_settings


def _order_id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(stored(gettext_noop("The order id must be a whole number."))) from None


@job_kind("bonusplus-reserve", label=_("Reserve bonuses in BonusPlus"), permission=USE_BONUSPLUS,
          precondition=require_settings, rerun_if_running=True, timeout=600, scope_label=_("order id"),
          arguments=[Argument("order_id", required=True, help=gettext_noop("Local order id"))])
def reserve_job(ctx, order_id=None):
    from loyalty.bonusplus.factory import client_from_settings
    from loyalty.bonusplus.reserve import Outcome, sync

    order_id = _order_id(order_id or ctx.scope)
    with client_from_settings() as client:
        outcome, amount = sync(client, order_id)
    ctx.set_count(f"bonusplus_{outcome}", 1)  # labels: integration/exchange/jobs/counters.py
    words = {
        Outcome.UNCHANGED: gettext_noop("Order #%(order)s: the reserve in BonusPlus is already right."),
        Outcome.RESERVED: gettext_noop("Order #%(order)s: %(amount)s bonuses reserved in BonusPlus."),
        Outcome.RELEASED: gettext_noop("Order #%(order)s: %(amount)s bonuses released in BonusPlus."),
        Outcome.STALE: gettext_noop("Order #%(order)s changed after the BonusPlus calculation: open “БонусПлюс” on "
                                    "the order and calculate again; the reserve was left as it was."),
    }
    ctx.message(stored(words[outcome], order=order_id, amount=str(abs(amount))), warning=outcome == Outcome.STALE)


@job_kind("bonusplus-export-catalog", label=_("Upload the catalog to BonusPlus"), permission=EXPORT_CATALOG,
          precondition=require_settings, timeout=3 * 3600,
          arguments=[Argument("username", help=gettext_noop("Whose cashier code to use (the button: the user who pressed it)"))])
def export_catalog_job(ctx, username=""):
    from loyalty.bonusplus.cashiers import require_cashier
    from loyalty.bonusplus.catalog import export_catalog
    from loyalty.bonusplus.factory import client_from_settings
    from loyalty.bonusplus.models import BonusPlusSettings

    user = ctx.run.requested_by
    if username:
        user = get_user_model().objects.filter(username=username).first()
    require_cashier(user)
    row = BonusPlusSettings.get_solo()
    with client_from_settings(row) as client:
        report = export_catalog(client, row.store, progress=lambda n: ctx.progress(add=n))
    for name in ("groups", "products", "unchanged", "requests"):
        ctx.set_count(name, getattr(report, name))
    ctx.message(stored(gettext_noop("Sent to BonusPlus: %(groups)d groups, %(products)d products; "
                                    "%(unchanged)d unchanged were not sent."),
                       groups=report.groups, products=report.products, unchanged=report.unchanged))


@job_kind("bonusplus-purchase", label=_("Register the purchase in BonusPlus"), permission=USE_BONUSPLUS,
          precondition=require_settings, rerun_if_running=True, timeout=600, scope_label=_("sale id"),
          arguments=[Argument("sale_id", required=True, help=gettext_noop("Local sale id"))])
def purchase_job(ctx, sale_id=None, user_id=None):
    from loyalty.bonusplus.cashiers import cashier_code
    from loyalty.bonusplus.factory import client_from_settings
    from loyalty.bonusplus.purchase import Outcome, register

    sale_id = _order_id(sale_id or ctx.scope)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else ctx.run.requested_by
    with client_from_settings() as client:
        outcome = register(client, sale_id, cashier=cashier_code(user))
    ctx.set_count(f"bonusplus_{outcome}", 1)  # labels: integration/exchange/jobs/counters.py
    words = {
        Outcome.NOTHING: gettext_noop("Sale #%(sale)s: the order has no BonusPlus data; nothing to register."),
        Outcome.REGISTERED: gettext_noop("Sale #%(sale)s: the purchase is registered in BonusPlus."),
        Outcome.ALREADY: gettext_noop("Sale #%(sale)s: the purchase was already registered in BonusPlus."),
    }
    ctx.message(stored(words[outcome], sale=sale_id))
