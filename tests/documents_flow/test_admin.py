"""Post / Unpost in the admin: each action names its permission; a user without it gets 403."""

from decimal import Decimal

from django.contrib.auth.models import Permission
from django.urls import reverse

from integration import models as im
from tests.documents_flow.conftest import crm_create, crm_order, import_order, payments_of, switch


def _payment(crm):
    im.PaymentTypeMapping.objects.update_or_create(crm_payment_type=im.CrmPaymentType.objects.get(code="cash"),
                                                   defaults={"document_kind": "cash-receipt", "use_for_export": True})
    crm_id = crm_create(crm, [("DEMO-0001", 1)])
    import_order(crm_id)
    return crm_id, im.Payment.objects.create(order=im.Order.objects.get(crm_id=crm_id), document_kind="cash-receipt",
                                             amount=Decimal("70"))


def _act(client, action, pk):
    return client.post(reverse("admin:integration_payment_changelist"),
                       {"action": action, "_selected_action": [pk]})


def test_post_and_unpost_from_the_list(crm, admin_client, django_capture_on_commit_callbacks, run_queued_jobs):
    switch(export_payments=True)
    crm_id, payment = _payment(crm)
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(admin_client, "post_selected", payment.pk)
    assert response.status_code == 302
    run_queued_jobs()
    payment.refresh_from_db()
    assert payment.posted and payment.crm_id
    assert [p["amount"] for p in payments_of(crm_order(crm, crm_id))] == [70.0]
    _act(admin_client, "unpost_selected", payment.pk)
    payment.refresh_from_db()
    assert not payment.posted


def test_a_user_without_the_change_permission_gets_403_and_nothing_is_posted(crm, client, django_user_model):
    crm_id, payment = _payment(crm)
    viewer = django_user_model.objects.create_user("viewer", password="pw-viewer-123", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_payment"))
    client.force_login(viewer)
    page = client.get(reverse("admin:integration_payment_changelist")).content.decode()
    assert "post_selected" not in page
    assert _act(client, "post_selected", payment.pk).status_code == 403
    payment.refresh_from_db()
    assert not payment.posted


def test_without_the_export_permission_posting_says_so_and_posts_nothing(crm, client, django_user_model):
    switch(export_payments=True)
    crm_id, payment = _payment(crm)
    clerk = django_user_model.objects.create_user("clerk", password="pw-clerk-123", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_payment", "change_payment"]))
    client.force_login(clerk)
    response = _act(client, "post_selected", payment.pk)
    assert response.status_code == 302
    payment.refresh_from_db()
    assert not payment.posted and not payment.export_pending


def test_a_return_is_drafted_from_a_sale_in_the_admin(crm, admin_client):
    switch(create_sales=True)
    crm_id = crm_create(crm, [("DEMO-0001", 2)], status="complete")
    import_order(crm_id)
    sale = im.Sale.objects.get(order__crm_id=crm_id)
    response = admin_client.post(reverse("admin:integration_sale_changelist"),
                                 {"action": "make_return_drafts", "_selected_action": [sale.pk]})
    assert response.status_code == 302
    draft = im.Return.objects.get(sale=sale)
    assert not draft.posted and draft.lines.get().quantity == 2


def test_the_document_pages_render_with_their_export_state(crm, admin_client, post_and_export):
    switch(create_sales=True, export_payments=True)
    crm_id = crm_create(crm, [("DEMO-0001", 1)], status="complete")
    import_order(crm_id)
    sale = im.Sale.objects.get(order__crm_id=crm_id)
    payment = im.Payment.objects.create(order=sale.order, document_kind="bank-receipt", amount=Decimal("5"))
    post_and_export(payment)  # no B6 row for bank receipts: not sent, and the page says why
    from integration.documents.returns import make_return

    document = make_return(sale, {sale.lines.get().order_line_id: Decimal(1)})
    for name, pk in (("payment", payment.pk), ("sale", sale.pk), ("return", document.pk)):
        for url in (reverse(f"admin:integration_{name}_changelist"), reverse(f"admin:integration_{name}_change", args=[pk])):
            response = admin_client.get(url)
            assert response.status_code == 200, url
    page = admin_client.get(reverse("admin:integration_payment_changelist")).content.decode()
    assert "use for export" in page
