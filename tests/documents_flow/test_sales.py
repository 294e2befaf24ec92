"""E4/F3: a sale on the flagged statuses moves stock out (the next delta stock export sends it); a local sale
is sent as shipped."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from catalog.models import Organization
from integration import models as im
from integration.documents.posting import unpost
from integration.documents.sales import make_sale
from integration.exchange.jobs import run_inline
from integration.retailcrm.orders.defaults import shop_documents
from tests.documents_flow.conftest import crm_create, crm_order, import_order, stock, switch
from tests.exports.conftest import crm_offer


def test_b1_flags_create_sale_by_default_for_the_manuals_shipping_statuses(crm):
    flagged = set(im.StatusImportMapping.objects.filter(create_sale=True).values_list("crm_status__code", flat=True))
    assert flagged == {"for-shipment", "complete"}  # of the statuses the fixture listed (otgruzhen is not among them)
    row = im.StatusImportMapping.objects.create(crm_status=im.CrmStatus.objects.get(code="otgruzhen"))
    assert row.create_sale


def test_a_sale_on_complete_lowers_stock_and_the_next_delta_export_sends_it(crm):
    switch(create_sales=True, payment_deferral_days=10, priority="high")
    run_inline("export-stock", options={"full": True})
    before = stock("DEMO-0001")
    crm_id = crm_create(crm, [("DEMO-0001", 3), ("DEMO-0002", 1)], status="complete")

    import_order(crm_id)

    sale = im.Sale.objects.get(order__crm_id=crm_id)
    assert sale.posted and sale.warehouse.code == "main" and sale.lines.count() == 2
    assert sale.payment_due == timezone.localdate(sale.date) + timedelta(days=10) and sale.priority == "high"
    assert stock("DEMO-0001") == before - 3
    crm.state.uploads["stock"].clear()
    run = run_inline("export-stock")
    assert run.counts["full"] == 0 and run.counts["sent"] == 2  # only the two offers the sale moved
    assert crm_offer(crm, "DEMO-0001")["stores"]["main"]["quantity"] == float(before - 3)

    import_order(crm_id)  # importing again makes no second sale
    assert im.Sale.objects.filter(order__crm_id=crm_id).count() == 1
    unpost(sale)
    assert stock("DEMO-0001") == before


def test_a_status_not_flagged_or_a_shop_b8_does_not_allow_makes_no_sale(crm):
    switch(create_sales=True)
    crm_id = crm_create(crm, [("DEMO-0001", 1)], status="new")
    import_order(crm_id)
    assert not im.Sale.objects.filter(order__crm_id=crm_id).exists()

    organization = Organization.objects.create(name="Shop org")
    im.ShopOrganization.objects.create(crm_site=im.CrmSite.objects.get(code="main-shop"), organization=organization,
                                       create_sales=False)
    switch(multiple_organizations=True)
    crm_id = crm_create(crm, [("DEMO-0001", 1)], status="complete")
    import_order(crm_id)
    assert not im.Sale.objects.filter(order__crm_id=crm_id).exists()
    im.ShopOrganization.objects.update(create_sales=True)
    other = crm_create(crm, [("DEMO-0001", 1)], status="complete")
    import_order(other)
    assert im.Sale.objects.get(order__crm_id=other).organization == organization


def test_a2_vat_rule_follows_the_taxation_and_b8_terminal_and_accounts(crm):
    row = im.CrmSettings.get_solo()
    row.taxation, row.prices_include_vat = Organization.Taxation.ENVD, True
    row.bank_account, row.cash_desk = "40702810900000000002", "Desk 2"
    assert shop_documents("main-shop", row).sale.prices_include_vat is False  # ENVD: prices without VAT
    row.taxation = Organization.Taxation.NOT_SUBJECT_TO_VAT
    assert shop_documents("main-shop", row).sale.prices_include_vat is False
    row.taxation = Organization.Taxation.GENERAL
    defaults = shop_documents("main-shop", row)
    assert defaults.sale.prices_include_vat and (defaults.bank_account, defaults.cash_desk) == ("40702810900000000002", "Desk 2")
    organization = Organization.objects.create(name="B8 org", bank_account="40702810900000000003", taxation="envd")
    im.ShopOrganization.objects.create(crm_site=im.CrmSite.objects.get(code="main-shop"), organization=organization,
                                       terminal="POS-9", priority="low", vat_included=True)
    row.multiple_organizations = True
    defaults = shop_documents("main-shop", row)
    assert (defaults.terminal, defaults.sale.priority, defaults.bank_account) == ("POS-9", "low", "40702810900000000003")
    assert defaults.sale.prices_include_vat is False  # the organization's ENVD


def test_posting_a_local_sale_sends_the_shipped_status_of_b2(crm, post_and_export):
    switch(export_sales=True)
    im.StatusExportMapping.objects.update_or_create(local_state=im.OrderState.objects.get(code="for-shipment"),
                                                    defaults={"crm_status": im.CrmStatus.objects.get(code="for-shipment")})
    crm_id = crm_create(crm, [("DEMO-0001", 1)], status="assembling")
    import_order(crm_id)
    order = im.Order.objects.get(crm_id=crm_id)
    before = stock("DEMO-0001")
    sale = make_sale(order, shop_documents(order.crm_site, im.CrmSettings.get_solo()).sale)

    post_and_export(sale)

    data = crm_order(crm, crm_id)
    assert data["status"] == "for-shipment" and data["shipped"] is True
    sale.refresh_from_db()
    assert sale.exported and not sale.export_pending and stock("DEMO-0001") == before - Decimal(1)
    event = im.ExchangeEvent.objects.get(entity="sale")
    assert event.direction == im.ExchangeEvent.Direction.EXPORT and event.result == im.ExchangeEvent.Result.UPDATED


def test_posting_without_the_export_permission_is_refused_and_posts_nothing(crm, django_user_model):
    import pytest

    from integration.exchange.jobs import JobNotPermitted
    from integration.retailcrm.orders.outbox import post_document

    switch(export_sales=True)
    crm_id = crm_create(crm, [("DEMO-0001", 1)], status="assembling")
    import_order(crm_id)
    order = im.Order.objects.get(crm_id=crm_id)
    sale = make_sale(order, shop_documents(order.crm_site, im.CrmSettings.get_solo()).sale)
    clerk = django_user_model.objects.create_user("clerk", password="pw-clerk-123", is_staff=True)
    with pytest.raises(JobNotPermitted):
        post_document(sale, user=clerk)
    sale.refresh_from_db()
    assert not sale.posted and not sale.export_pending


def test_not_subject_to_vat_and_envd_switch_prices_include_vat_off_when_saved(crm):
    row = im.CrmSettings.get_solo()
    row.taxation, row.prices_include_vat = Organization.Taxation.ENVD, True
    row.full_clean()
    assert row.prices_include_vat is False
    row.taxation, row.prices_include_vat = Organization.Taxation.GENERAL, True
    row.full_clean()
    assert row.prices_include_vat is True
    shop = im.ShopOrganization(crm_site=im.CrmSite.objects.get(code="main-shop"),
                               organization=Organization.objects.create(name="No VAT", taxation="no-vat"))
    shop.full_clean()
    assert shop.vat_included is False
