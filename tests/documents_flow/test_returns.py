"""E6/F4 (001 "Работа с возвратами"): returns from the CRM made from the sale of a closed order, an open order
refused until it is closed, and a return made here sent with the quantities left with the customer."""

from decimal import Decimal

from integration import models as im
from integration.documents.returns import make_return
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from tests.documents_flow.conftest import crm_create, crm_edit, crm_order, import_order, items_of, stock, switch


def _sold_order(crm, items=(("DEMO-0001", 3), ("DEMO-0002", 2))):
    """A completed CRM order imported here: closed, with its posted sale (stock already out)."""
    crm_id = crm_create(crm, list(items), status="complete")
    import_order(crm_id)
    order = im.Order.objects.get(crm_id=crm_id)
    assert order.closed and order.sale.posted
    return crm_id, order


def _items(crm, crm_id):
    return [item["id"] for item in items_of(crm_order(crm, crm_id))]


def test_a_partial_then_a_full_return_from_the_crm(crm):
    switch(create_sales=True, create_returns=True)
    start = {key: stock(key) for key in ("DEMO-0001", "DEMO-0002")}
    crm_id, order = _sold_order(crm)
    first, second = _items(crm, crm_id)
    assert stock("DEMO-0001") == start["DEMO-0001"] - 3

    # The customer keeps 2 of the 3: item status "partial return", quantity = what is left with the customer.
    crm_edit(crm, crm_id, status="partially-returned",
             items=[{"id": first, "status": "chastichnyi-vozvrat", "quantity": 2}, {"id": second}])
    run = import_order(crm_id)

    document = im.Return.objects.get(order=order)
    assert document.posted and document.sale == order.sale and document.crm_status == "partially-returned"
    assert [(line.order_line.product.code, line.quantity) for line in document.lines.all()] == [("DEMO-0001", 1)]
    assert stock("DEMO-0001") == start["DEMO-0001"] - 2 and stock("DEMO-0002") == start["DEMO-0002"] - 2
    assert "a return of 1 lines" in render(run.events.get().message)

    # Then everything comes back: both items "returned" — whole, less what the first return already brought.
    crm_edit(crm, crm_id, status="return", items=[{"id": first, "status": "returned"}, {"id": second, "status": "returned"}])
    import_order(crm_id)
    latest = im.Return.objects.filter(order=order).order_by("-id").first()
    assert latest != document and latest.crm_status == "return"
    assert sorted((line.order_line.product.code, line.quantity) for line in latest.lines.all()) == [
        ("DEMO-0001", 2), ("DEMO-0002", 2)]
    assert stock("DEMO-0001") == start["DEMO-0001"] and stock("DEMO-0002") == start["DEMO-0002"]

    import_order(crm_id)  # nothing more to return: no third document
    assert im.Return.objects.filter(order=order).count() == 2


def test_an_open_order_is_refused_until_it_is_closed_then_the_return_is_made(crm):
    switch(create_sales=True, create_returns=True)
    im.StatusImportMapping.objects.filter(crm_status__code="complete").update(
        local_state=im.OrderState.objects.get(code="to-fulfil"))  # "complete" does not close orders here
    crm_id, order = None, None
    crm_id = crm_create(crm, [("DEMO-0001", 2)], status="complete")
    import_order(crm_id)
    order = im.Order.objects.get(crm_id=crm_id)
    assert not order.closed and order.sale.posted
    [item] = _items(crm, crm_id)
    crm_edit(crm, crm_id, status="return", items=[{"id": item, "status": "returned"}])

    run = import_order(crm_id)

    assert not im.Return.objects.filter(order=order).exists()
    event = run.events.get()
    assert event.result == im.ExchangeEvent.Result.PARKED and "close the order first" in render(event.message)

    order.state, order.closed = im.OrderState.objects.get(code="closed"), True  # the operator closes it
    order.save()
    run = run_inline("import-orders")  # every run tries parked orders again

    document = im.Return.objects.get(order=order)
    assert [(line.quantity) for line in document.lines.all()] == [Decimal(2)]
    assert not im.ExchangeEvent.objects.filter(entity="order", crm_id=str(crm_id), result="parked", resolved=False).exists()


def test_without_the_switch_no_return_is_made(crm):
    switch(create_sales=True)
    crm_id, order = _sold_order(crm, items=(("DEMO-0001", 1),))
    [item] = _items(crm, crm_id)
    crm_edit(crm, crm_id, status="return", items=[{"id": item, "status": "returned"}])
    import_order(crm_id)
    assert not im.Return.objects.exists()


def test_a_local_partial_return_is_exported_with_the_remaining_quantities(crm, post_and_export):
    switch(create_sales=True, export_returns=True)
    start = stock("DEMO-0001")
    crm_id, order = _sold_order(crm)
    first, second = _items(crm, crm_id)
    lines = {line.product.code: line for line in order.lines.all()}

    document = make_return(order.sale, {lines["DEMO-0001"].pk: Decimal(1)})
    post_and_export(document)

    data = crm_order(crm, crm_id)
    by_id = {item["id"]: item for item in data["items"]}
    assert data["status"] == "partially-returned"
    assert (by_id[first]["status"], by_id[first]["quantity"]) == ("chastichnyi-vozvrat", 2)  # 3 sold − 1 returned
    assert by_id[second]["status"] != "returned" and by_id[second]["quantity"] == 2
    assert stock("DEMO-0001") == start - 2
    document.refresh_from_db()
    assert document.exported and document.crm_status == "partially-returned"

    # The rest comes back: everything returned, the order is a return.
    rest = make_return(order.sale, {lines["DEMO-0001"].pk: Decimal(2), lines["DEMO-0002"].pk: Decimal(2)})
    post_and_export(rest)
    data = crm_order(crm, crm_id)
    assert data["status"] == "return" and {item["status"] for item in data["items"]} == {"returned"}
    assert stock("DEMO-0001") == start

    # Loading the order again (now "return" in the CRM, with every item returned) makes no third return.
    import_order(crm_id)
    assert im.Return.objects.filter(order=order).count() == 2 and stock("DEMO-0001") == start


def test_a_return_of_more_than_was_sold_is_refused(crm, post_and_export):
    import pytest
    from django.core.exceptions import ValidationError

    switch(create_sales=True)
    crm_id, order = _sold_order(crm, items=(("DEMO-0001", 1),))
    line = order.lines.get()
    document = make_return(order.sale, {line.pk: Decimal(2)})
    with pytest.raises(ValidationError):
        post_and_export(document)
    document.refresh_from_db()
    assert not document.posted


def test_posting_the_closed_order_loads_its_waiting_return_at_once(crm, django_capture_on_commit_callbacks,
                                                                   run_queued_jobs):
    from integration.documents.posting import post

    switch(create_sales=True, create_returns=True)
    im.StatusImportMapping.objects.filter(crm_status__code="complete").update(
        local_state=im.OrderState.objects.get(code="to-fulfil"))
    crm_id = crm_create(crm, [("DEMO-0001", 2)], status="complete")
    import_order(crm_id)
    [item] = _items(crm, crm_id)
    crm_edit(crm, crm_id, status="return", items=[{"id": item, "status": "returned"}])
    import_order(crm_id)  # parked: the order is open here
    order = im.Order.objects.get(crm_id=crm_id)
    order.state, order.closed = im.OrderState.objects.get(code="closed"), True

    with django_capture_on_commit_callbacks(execute=True):
        post(order)
    run_queued_jobs()

    assert im.Return.objects.get(order=order).lines.get().quantity == 2
