"""Posting hooks (H4): posting or unposting an order queues the reserve job; the job talks to BonusPlus."""

from django.utils.translation import gettext_noop

from integration.exchange.jobs.runner import JobRefused, enqueue
from integration.exchange.messages import for_text, of_exception, stored
from loyalty.bonusplus.models import OrderBonus


def on_order_posting(order, posting) -> None:
    """Called after the posting committed. Orders without BonusPlus data cost one indexed query."""
    if not OrderBonus.objects.filter(order_id=order.pk).exclude(applied_at=None, reserved=0).exists():
        return
    try:
        # As the system: the posting, not a BonusPlus button, is what asks for it.
        queue_reserve(order.pk, trigger="button" if posting.user_id else "command")
    # Redis down, BonusPlus not set up: the next posting, or the job run by hand, brings the reserve in line.
    except JobRefused as exc:
        OrderBonus.objects.filter(order_id=order.pk).update(reserve_message=for_text(stored(gettext_noop(
            "The bonus reserve could not be queued: %(reason)s"), reason=of_exception(exc))))


def on_sale_posted(sale, posting) -> None:
    """H5: a posted sale of an order with BonusPlus data registers the purchase (once; the job checks)."""
    if not OrderBonus.objects.filter(order_id=sale.order_id).exclude(applied_at=None).exists():
        return
    try:
        enqueue("bonusplus-purchase", trigger="button" if posting.user_id else "command", scope=str(sale.pk),
                options={"sale_id": sale.pk, "user_id": posting.user_id})
    except JobRefused as exc:  # BonusPlus no longer set up, Redis down: kept on the order's BonusPlus data
        OrderBonus.objects.filter(order_id=sale.order_id).update(purchase_message=for_text(stored(gettext_noop(
            "The purchase could not be queued: %(reason)s"), reason=of_exception(exc))))


def connect() -> None:
    from integration.documents.models.orders import Order, Sale
    from integration.documents.posting import POSTED, UNPOSTED, subscribe

    subscribe(Order, POSTED, on_order_posting)
    subscribe(Order, UNPOSTED, on_order_posting)
    subscribe(Sale, POSTED, on_sale_posted)


def queue_reserve(order_id: int, trigger: str = "button") -> None:
    """The reserve job for one order (one per order at a time; a request while it runs makes it run again)."""
    enqueue("bonusplus-reserve", trigger=trigger, scope=str(order_id), options={"order_id": order_id})
