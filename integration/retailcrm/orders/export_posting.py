"""F1/F5 and posting: a posted or unposted CRM-born order becomes due for export.

``mark_due`` runs inside the posting's transaction (so the mark commits or rolls back with it);
``enqueue_export`` runs after commit and queues the export job, which sends every due order. A
posting that never reached the queue (Redis down, a crash right after the commit) is not lost:
the mark stays and the next export run sends it.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from integration import models as im
from integration.documents import posting
from integration.exchange.permissions import WRITE_TO_CRM, user_may
from integration.retailcrm.orders.export import exportable

log = logging.getLogger(__name__)
EXPORT_KIND = "export-order-changes"


def export_on() -> bool:
    return bool(im.CrmSettings.get_solo().export_order_changes)


def needs_export(order) -> bool:
    return exportable(order) and export_on()


def mark_due(order, event: posting.Posting) -> None:
    if event.source != "import" and needs_export(order):
        im.Order.objects.filter(pk=order.pk).update(export_pending=True)
        order.export_pending = True


def enqueue_export(order, event: posting.Posting) -> None:
    from integration.exchange.jobs import JobRefused, enqueue

    if event.source == "import" or not order.export_pending or not needs_export(order):
        return
    user = get_user_model().objects.filter(pk=event.user_id).first() if event.user_id else None
    try:
        enqueue(EXPORT_KIND, trigger=im.JobRun.Trigger.BUTTON if user else im.JobRun.Trigger.COMMAND, user=user)
    except JobRefused as exc:  # not connected, switched off meanwhile, Redis down: the mark waits for a later run
        log.warning("order %s: the export was not queued: %s", order.pk, exc)


def connect() -> None:
    """Called from IntegrationConfig.ready."""
    for kind in (posting.POSTED, posting.UNPOSTED):
        posting.subscribe(im.Order, kind, mark_due, in_transaction=True)
        posting.subscribe(im.Order, kind, enqueue_export)


def check_may_post(order, user) -> None:
    """Posting a CRM-born order with export on writes to the CRM: the user needs that permission."""
    if needs_export(order) and not user_may(user, WRITE_TO_CRM):
        raise PermissionDenied(_("Posting order %(number)s sends its changes to RetailCRM, which you may not do.")
                               % {"number": order.number})


def post_order(order, user) -> bool:
    """The admin's "Post": refused (ValidationError) for an order with no state."""
    check_may_post(order, user)
    return posting.post(order, user=user)


def unpost_order(order, user) -> bool:
    check_may_post(order, user)
    return posting.unpost(order, user=user)
