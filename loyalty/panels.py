"""Read-only HTML panels of the customer page: the bonus account (G4) and order bonuses (G5).

Rendered from local rows only, so the page never waits for RetailCRM.
"""

from django.db.models import Q, Sum
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from loyalty.models import Participation

RECENT_ORDERS = 20


def amount(value) -> str:
    return floatformat(value, -2) if value not in (None, "") else "—"


def _when(value) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else "—"


def program_rules(level: dict) -> tuple[str, str]:
    """(regular goods, promo goods) privileges of a level in words."""
    kind = (level or {}).get("type")

    def one(size):
        if size in (None, ""):
            return "—"
        size = floatformat(size, -2)  # 5.0 → "5", 2.5 → "2.5", in the reader's locale
        if kind == "bonus_converting":
            return gettext("1 bonus per %(size)s spent") % {"size": size}
        if kind == "discount":
            return gettext("%(size)s%% discount") % {"size": size}
        return gettext("%(size)s%% in bonuses") % {"size": size}

    return one(level.get("privilegeSize")), one(level.get("privilegeSizePromo"))


def bonus_account_panel(customer, participation: Participation | None, loyalty_on: bool):
    if not loyalty_on:
        return gettext("The loyalty program is switched off in RetailCRM settings.")
    if participation is None:
        if not customer.phone:
            return gettext("Not registered in the loyalty program. Fill in the phone to register the customer.")
        return gettext("Not registered in the loyalty program.")
    level = participation.level or {}
    regular, promo = program_rules(level)
    status = participation.get_status_display() or "—"
    rows = [
        (gettext("Participation id"), participation.crm_account_id),
        (gettext("Status"), status),
        (gettext("Current level"), level.get("name") or "—"),
        (gettext("Purchases sum"), amount(participation.purchases_sum)),
        (gettext("Sum to the next level"), amount(participation.next_level_sum)),
        (gettext("Bonus balance"), amount(participation.balance)),
        (gettext("Bonus card"), participation.card_number or gettext("No card linked")),
        (gettext("Phone of the account"), participation.phone or "—"),
        (gettext("Registered"), _when(participation.registered_at)),
    ]
    rules = [
        (gettext("Purchases sum of the level"), amount(level.get("sum"))),
        (gettext("Regular goods"), regular),
        (gettext("Promo goods"), promo),
    ]
    notes = []
    if participation.status == Participation.Status.NOT_CONFIRMED and participation.program.confirm_sms_registration:
        notes.append(gettext("Not active yet: the program confirms participation by SMS, and the customer "
                             "has not confirmed the phone. Confirmation happens in RetailCRM."))
    if participation.fetched_at:
        notes.append(gettext("Read from RetailCRM: %(when)s — press “Refresh bonus account” for current figures.")
                     % {"when": _when(participation.fetched_at)})
    table = "<tr><th>{}</th><td>{}</td></tr>"
    return format_html(
        '<table class="loyalty-account">{}<tr><th colspan="2">{}</th></tr>{}</table>{}',
        format_html_join("", table, rows), gettext("Rules of the current level"), format_html_join("", table, rules),
        format_html_join("", "<p>{}</p>", ((note,) for note in notes)),
    )


def order_bonuses_panel(customer):
    """G5: the customer's recent orders with bonuses charged and credited (per line in the order page)."""
    orders = customer.orders.filter(~Q(bonuses_charged=0) | ~Q(bonuses_credited=0))
    totals = orders.aggregate(charged=Sum("bonuses_charged"), credited=Sum("bonuses_credited"))
    recent = list(orders.order_by("-date")[:RECENT_ORDERS])
    if not recent:
        return gettext("No orders with bonuses.")
    rows = format_html_join("", '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>', (
        (reverse("admin:integration_order_change", args=[o.pk]), o.number,
         date_format(timezone.localtime(o.date), "SHORT_DATE_FORMAT"),
         amount(o.bonuses_charged), amount(o.bonuses_credited)) for o in recent
    ))
    return format_html(
        "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}"
        "<tr><th colspan=\"2\">{}</th><th>{}</th><th>{}</th></tr></table>",
        gettext("Order"), gettext("Date"), gettext("Bonuses charged"), gettext("Bonuses credited"), rows,
        gettext("Total"), amount(totals["charged"]), amount(totals["credited"]),
    )
