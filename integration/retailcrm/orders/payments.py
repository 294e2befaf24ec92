"""Payments both ways: E5 (a complete CRM payment becomes a posted payment document) and F2 (posting a
payment document creates or edits the CRM payment).

A lost answer never creates a payment twice: every payment we send carries our ``externalId``; the
create is marked as sent (committed) before it leaves, and a payment so marked is first looked up
in its order before anything is created again.
"""

import django_rq
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from integration.documents.models.orders import Payment
from integration.documents.models.states import PaymentDocumentKind
from integration.exchange.locks import entity_locks
from integration.exchange.messages import for_text, of_exception, stored
from integration.exchange.models import ExchangeEvent
from integration.exchange.rows import update_row
from integration.retailcrm.client.errors import CrmMalformedResponse, CrmNetworkError, CrmServerError
from integration.retailcrm.models.dictionaries import CrmPaymentStatus
from integration.retailcrm.models.mappings import PaymentTypeMapping
from integration.retailcrm.orders.defaults import cached_shop_documents

AMBIGUOUS = (CrmNetworkError, CrmServerError, CrmMalformedResponse)  # the CRM may have done it
Result = ExchangeEvent.Result


# ----- E5: import ---------------------------------------------------------------------------


def stage_payment_document(payment: Payment, refs, site: str) -> None:
    """With "create payment documents": a paid CRM payment of a mapped type becomes a posted document of its
    B6 kind, with the cash desk, bank account or terminal; its CRM type stays for re-export (000 §8)."""
    if not refs.settings.create_payment_documents or payment.posted or not payment.paid or not payment.document_kind:
        return
    shop = cached_shop_documents(refs, site)
    payment.posted = True
    payment.organization_id = shop.organization_id
    if payment.document_kind == PaymentDocumentKind.CASH_RECEIPT:
        payment.cash_desk = shop.cash_desk
    elif payment.document_kind == PaymentDocumentKind.BANK_RECEIPT:
        payment.bank_account = shop.bank_account
    else:
        payment.terminal = payment.terminal or shop.terminal
    payment.paid_at = payment.paid_at or timezone.now()


# ----- F2: export ---------------------------------------------------------------------------


def external_id(payment: Payment) -> str:
    return f"bo-payment-{payment.pk}"


def export_type(payment: Payment, cache: dict | None = None) -> str:
    """The CRM type to send: the one the payment came with, else the B6 row marked "use for export".

    ``cache`` keeps the answer per (kind, terminal) for one run: B6 is read once, not per payment."""
    if payment.crm_type:
        return payment.crm_type
    key = (payment.document_kind, payment.terminal if payment.document_kind == PaymentDocumentKind.CARD_PAYMENT else "")
    if cache is not None and key in cache:
        return cache[key]
    rows = PaymentTypeMapping.objects.filter(document_kind=payment.document_kind, use_for_export=True) \
        .select_related("crm_payment_type").order_by("id")
    code = ""
    if payment.document_kind == PaymentDocumentKind.CARD_PAYMENT and payment.terminal:
        by_terminal = rows.filter(terminal=payment.terminal).first()
        if by_terminal is not None:
            code = by_terminal.crm_payment_type.code
    if not code:
        row = rows.first()
        code = row.crm_payment_type.code if row else ""
    if cache is not None:
        cache[key] = code
    return code


def paid_status() -> str:
    complete = list(CrmPaymentStatus.objects.filter(payment_complete=True).order_by("code")
                    .values_list("code", flat=True))
    return "paid" if "paid" in complete or not complete else complete[0]


def _crm_time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


LOCK_GROUP = 20  # payments whose orders are locked in one Redis round trip


def export_payments(client, ctx) -> None:
    """Send every posted payment document waiting for export (F2).

    Payments are sent under their orders' entity locks (twenty at a time, one Redis round trip) and
    read under them (an import may have got there first); the log rows go in one insert per group."""
    pending = list(Payment.objects.filter(export_pending=True).order_by("id")
                   .values_list("id", "order__crm_id", "order_id"))
    ctx.progress(total=len(pending))
    status = paid_status() if pending else ""
    types, connection = {}, django_rq.get_connection("default")
    for start in range(0, len(pending), LOCK_GROUP):
        group = pending[start:start + LOCK_GROUP]
        events, writes = [], []
        with entity_locks("order", [crm_id or f"local-{order_id}" for _pk, crm_id, order_id in group],
                          connection=connection):
            try:
                for payment in Payment.objects.filter(pk__in=[pk for pk, _crm_id, _order_id in group],
                                                      export_pending=True).select_related("order").order_by("id"):
                    result, message = export_one(client, payment, status, types, writes)
                    ctx.count(f"payments_{result}")
                    events.append({"entity": "payment", "result": result,
                                   "direction": ExchangeEvent.Direction.EXPORT, "crm_id": payment.crm_id or "",
                                   "local_ref": f"{payment.order} · {payment.amount}", "message": message})
            finally:
                with transaction.atomic():  # one commit for the group's write-backs, before the locks go
                    for write in writes:
                        write()
        ctx.events(events)
        ctx.progress(add=len(group))


def _done(payment: Payment, message, writes: list | None = None, **fields) -> None:
    """The payment's write-back: now, or into ``writes`` (run by the caller before the lock goes)."""
    fields.update(export_pending=False, export_message=for_text(message))
    if writes is None:
        update_row(Payment, payment.pk, fields)
    else:
        writes.append(lambda: update_row(Payment, payment.pk, fields))


def export_one(client, payment: Payment, status: str, types: dict | None = None, writes: list | None = None):
    """Send one payment document. A write-back left in ``writes`` and lost to a crash costs nothing
    twice: the create was marked sent before it left, so the next run finds the payment by our id."""
    order = payment.order
    if not payment.posted:
        _done(payment, "", writes)
        return Result.UNCHANGED, ""
    if order.source != order.Source.CRM or not order.crm_id:
        message = stored(gettext_noop("The payment is not sent to RetailCRM: its order %(number)s was created here, "
                                      "and orders created here are not exported."), number=order.number)
        _done(payment, message, writes)
        return Result.SKIPPED, message
    crm_type = export_type(payment, types)
    if not crm_type:
        message = stored(gettext_noop(
            "The payment is not sent to RetailCRM: no row of “B6 · payment types” is marked “use for export” for "
            "“%(kind)s”. Mark one and post the payment again."), kind=PaymentDocumentKind(payment.document_kind).label
            if payment.document_kind else "—")
        _done(payment, message, writes)
        return Result.SKIPPED, message
    new_external_id = not payment.external_id
    if new_external_id:
        payment.external_id = external_id(payment)
    body = {"externalId": payment.external_id, "type": crm_type, "status": status, "amount": float(payment.amount),
            "paidAt": _crm_time(payment.paid_at or timezone.now())}
    if payment.comment:
        body["comment"] = payment.comment
    try:
        recovered = False
        crm_id = payment.crm_id or (_look_up(client, payment) if payment.create_sent else None)
        if crm_id:
            if new_external_id:
                Payment.objects.filter(pk=payment.pk).update(external_id=payment.external_id)
            client.payment_edit({**body, "id": crm_id}, by="id")
            result = Result.UPDATED
        else:
            crm_id, recovered = _create(client, payment, body)
            result = Result.CREATED
    except AMBIGUOUS as exc:
        # Maybe done, maybe not: the payment stays waiting and the next run looks it up before creating.
        message = stored(gettext_noop("The payment could not be sent (%(error)s); it is sent again on the next run "
                                      "and is never created twice."), error=of_exception(exc))
        Payment.objects.filter(pk=payment.pk).update(export_message=for_text(message))
        return Result.FAILED, message
    except Exception as exc:  # refused by the CRM: the operator must fix something
        message = of_exception(exc)
        _done(payment, message, writes)
        return Result.FAILED, message
    if recovered:
        message = stored(gettext_noop("Sent to RetailCRM as payment %(id)s (%(type)s); the answer was lost and the "
                                      "payment was found by our external id, not created again."), id=crm_id, type=crm_type)
    else:
        message = stored(gettext_noop("Sent to RetailCRM as payment %(id)s (%(type)s)."), id=crm_id, type=crm_type)
    _done(payment, message, writes, crm_id=crm_id, crm_type=crm_type, crm_status=status, paid=True)
    return result, message


def _create(client, payment: Payment, body: dict) -> tuple[int, bool]:
    # Committed before it leaves, with the externalId it carries: a lost answer is looked up by it.
    update_row(Payment, payment.pk, {"create_sent": True, "external_id": payment.external_id})
    payment.create_sent = True
    try:
        answer = client.payment_create({**body, "order": {"id": payment.order.crm_id}}, site=payment.order.crm_site or None)
    except AMBIGUOUS:
        found = _look_up(client, payment)  # the CRM may have created it and lost only the answer
        if found:
            return found, True
        raise
    return int(answer["id"]), False


def _look_up(client, payment: Payment) -> int | None:
    """The CRM id of our payment (by our externalId) in its order, or None."""
    data = client.order(payment.order.crm_id, by="id")
    payments = data.get("payments") or {}
    for entry in payments.values() if isinstance(payments, dict) else payments:
        if isinstance(entry, dict) and entry.get("externalId") == payment.external_id and entry.get("id"):
            return int(entry["id"])
    return None
