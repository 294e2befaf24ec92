"""E5/F2: payment documents from complete CRM payments, and posted payment documents sent to the CRM once."""

from decimal import Decimal

from django.utils import timezone

from integration import models as im
from integration.exchange.messages import render
from integration.retailcrm.orders.outbox import post_document
from tests.documents_flow.conftest import crm_create, crm_order, import_order, payments_of, switch

CASH, BANK, CARD = im.PaymentDocumentKind.CASH_RECEIPT, im.PaymentDocumentKind.BANK_RECEIPT, im.PaymentDocumentKind.CARD_PAYMENT


def map_payment(code, kind, **fields):
    return im.PaymentTypeMapping.objects.update_or_create(
        crm_payment_type=im.CrmPaymentType.objects.get(code=code), defaults={"document_kind": kind, **fields})[0]


def test_complete_crm_payments_become_posted_documents_of_their_b6_kind_with_cash_desk_and_terminal(crm):
    switch(create_payment_documents=True, cash_desk="Main cash desk", bank_account="40702810900000000001")
    map_payment("cash", CASH)
    map_payment("bank-card", CARD, terminal="POS-7")
    crm_id = crm_create(crm, [("DEMO-0001", 1)], payments=[
        {"type": "cash", "status": "paid", "amount": 100, "paidAt": "2026-11-30 10:00:00"},
        {"type": "bank-card", "status": "not-paid", "amount": 50}])

    import_order(crm_id)

    by_type = {p.crm_type: p for p in im.Payment.objects.filter(order__crm_id=crm_id)}
    cash, card = by_type["cash"], by_type["bank-card"]
    assert cash.posted and cash.document_kind == CASH and cash.cash_desk == "Main cash desk"
    assert cash.amount == Decimal("100") and cash.paid_at.date().isoformat() == "2026-11-30"
    assert not card.posted  # not complete in the payment-status reference: no document
    # The manager marks it paid in the CRM: the card payment becomes a document with the B6 terminal.
    [entry] = [p for p in payments_of(crm_order(crm, crm_id)) if p["type"] == "bank-card"]
    import requests
    requests.post(f"{crm.url}/sandbox/orders/{crm_id}/edit", json={"payments": [{"id": entry["id"], "status": "paid"}]},
                  timeout=5).raise_for_status()
    import_order(crm_id)
    card.refresh_from_db()
    assert card.posted and card.document_kind == CARD and card.terminal == "POS-7" and card.crm_type == "bank-card"


def test_without_the_switch_a_paid_payment_is_no_document(crm):
    map_payment("cash", CASH)
    crm_id = crm_create(crm, [("DEMO-0001", 1)], payments=[{"type": "cash", "status": "paid", "amount": 100}])
    import_order(crm_id)
    payment = im.Payment.objects.get(order__crm_id=crm_id)
    assert payment.paid and not payment.posted


def _local_payment(crm_id, kind=CASH, amount="500"):
    order = im.Order.objects.get(crm_id=crm_id)
    return im.Payment.objects.create(order=order, document_kind=kind, amount=Decimal(amount), paid=True,
                                     paid_at=timezone.now())


def test_a_payment_is_created_once_after_a_lost_answer_and_edited_after(crm, post_and_export):
    switch(export_payments=True)
    map_payment("cash", CASH, use_for_export=True)
    crm_id = crm_create(crm, [("DEMO-0001", 1)])
    import_order(crm_id)
    payment = _local_payment(crm_id)

    crm.set_faults(drop_after_rate=1.0, match="payments/create", count=1)  # created; its answer never arrives
    post_and_export(payment)
    crm.set_faults()

    ours = [p for p in payments_of(crm_order(crm, crm_id)) if p.get("externalId") == f"bo-payment-{payment.pk}"]
    assert len(ours) == 1, payments_of(crm_order(crm, crm_id))
    assert (ours[0]["type"], ours[0]["status"], ours[0]["amount"]) == ("cash", "paid", 500.0) and ours[0]["paidAt"]
    payment.refresh_from_db()
    assert payment.crm_id == ours[0]["id"] and not payment.export_pending and payment.crm_type == "cash"
    assert "the answer was lost" in render(payment.export_message)  # the fault did strike

    # Posting again after a change edits the same payment.
    payment.amount = Decimal("650")
    payment.save()
    post_and_export(payment)
    ours = [p for p in payments_of(crm_order(crm, crm_id)) if p.get("externalId") == f"bo-payment-{payment.pk}"]
    assert len(ours) == 1 and ours[0]["amount"] == 650.0
    # The next import finds our payment by its id: no second local payment either.
    import_order(crm_id)
    assert im.Payment.objects.filter(order__crm_id=crm_id).count() == 1


def test_a_create_sent_before_a_crash_is_looked_up_not_sent_again(crm, admin_user):
    """The worker died after the create left and before its answer was handled: the next run finds it."""
    from integration.exchange.jobs import run_inline
    from integration.retailcrm.client.errors import CrmNetworkError
    from integration.retailcrm.client.factory import client_from_settings
    from integration.retailcrm.orders.outbox import post_document

    switch(export_payments=True)
    map_payment("cash", CASH, use_for_export=True)
    crm_id = crm_create(crm, [("DEMO-0001", 1)])
    import_order(crm_id)
    payment = _local_payment(crm_id)
    post_document(payment, user=admin_user)  # marked for export; its job is never run (the worker is gone)
    im.Payment.objects.filter(pk=payment.pk).update(external_id=f"bo-payment-{payment.pk}", create_sent=True)
    crm.set_faults(drop_after_rate=1.0, match="payments/create", count=1)
    with client_from_settings() as client:
        body = {"externalId": f"bo-payment-{payment.pk}", "type": "cash", "status": "paid", "amount": 500.0,
                "order": {"id": crm_id}}
        try:
            client.payment_create(body, site="main-shop")
        except CrmNetworkError:
            pass
        else:
            raise AssertionError("the sandbox should have lost the answer")
    crm.set_faults()

    run = run_inline("export-payments")

    assert run.status == im.JobRun.Status.SUCCEEDED, (render(run.error), run.messages)
    ours = [p for p in payments_of(crm_order(crm, crm_id)) if p.get("externalId") == f"bo-payment-{payment.pk}"]
    assert len(ours) == 1
    assert run.events.get().result == im.ExchangeEvent.Result.UPDATED  # found by our externalId and edited
    assert im.Payment.objects.get(pk=payment.pk).crm_id == ours[0]["id"]


def test_a_payment_document_without_an_export_mapping_is_not_sent_and_says_why(crm, post_and_export):
    switch(export_payments=True)
    map_payment("cash", CASH, use_for_export=False)
    crm_id = crm_create(crm, [("DEMO-0001", 1)])
    import_order(crm_id)
    payment = _local_payment(crm_id)

    post_and_export(payment)

    payment.refresh_from_db()
    assert payment.posted and not payment.export_pending and payment.crm_id is None
    assert "use for export" in render(payment.export_message) and "Cash receipt" in render(payment.export_message)
    assert payments_of(crm_order(crm, crm_id)) == []
    event = im.ExchangeEvent.objects.get(entity="payment")
    assert event.result == im.ExchangeEvent.Result.SKIPPED and event.direction == im.ExchangeEvent.Direction.EXPORT


def test_a_payment_of_an_order_created_here_is_not_sent(crm, post_and_export):
    switch(export_payments=True)
    map_payment("cash", CASH, use_for_export=True)
    order = im.Order.objects.create(number="LOCAL-1", source=im.Order.Source.LOCAL,
                                    state=im.OrderState.objects.get(code="to-fulfil"))
    payment = im.Payment.objects.create(order=order, document_kind=CASH, amount=10)
    post_and_export(payment)
    payment.refresh_from_db()
    assert "created here" in render(payment.export_message) and payment.crm_id is None
