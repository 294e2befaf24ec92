"""Reference sync against the sandbox: fill, rename, remove, keep the operator's mappings."""

import requests

from integration import models as im
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from integration.models import JobRun


def test_one_sync_fills_every_dictionary(crm):
    run = run_inline("sync-references")
    assert run.status in (JobRun.Status.SUCCEEDED, JobRun.Status.WARNINGS), render(run.error)
    for model in (im.CrmSite, im.CrmStatusGroup, im.CrmStatus, im.CrmStore, im.CrmPriceType, im.CrmPaymentType,
                  im.CrmDeliveryType, im.CrmOrderType, im.CrmOrderMethod, im.CrmUser):
        assert model.objects.exists(), model.__name__
    assert im.CrmStore.objects.count() == 3 and im.CrmUser.objects.count() == 4
    assert im.CrmStatus.objects.get(code="new").group.code
    assert run.counts["statuses"] == im.CrmStatus.objects.count()
    # Nothing is mapped yet, so the run lists the unmapped statuses.
    assert any("Not mapped yet (statuses)" in message and "new" in message for message in map(render, run.messages))


def test_a_second_sync_keeps_mappings_renames_and_flags_removed(crm):
    run_inline("sync-references")
    store = im.CrmStore.objects.order_by("code").first()
    warehouse = im.CrmSettings.get_solo().default_warehouse
    from catalog.models import Warehouse

    warehouse = Warehouse.objects.create(code="w1", name="W1")
    im.WarehouseMapping.objects.create(crm_store=store, warehouse=warehouse)
    status = im.CrmStatus.objects.get(code="new")
    im.StatusImportMapping.objects.create(crm_status=status, local_state=im.OrderState.objects.get(code="pending-approval"))

    assert requests.post(f"{crm.url}/sandbox/references/statuses/new", json={"name": "Brand new"}, timeout=5).ok
    assert requests.post(f"{crm.url}/sandbox/references/stores/{store.code}/delete", json={}, timeout=5).ok
    run = run_inline("sync-references")

    status.refresh_from_db()
    store.refresh_from_db()
    assert status.name == "Brand new" and status.import_mapping.local_state.code == "pending-approval"
    assert store.removed_in_crm and store.mapping.warehouse == warehouse
    assert any("Removed in RetailCRM (warehouses)" in message and store.code in message for message in map(render, run.messages))
    assert run.status == JobRun.Status.WARNINGS


def test_the_mapping_page_lists_unmapped_statuses(admin_client, crm):
    from django.urls import reverse

    run_inline("sync-references")
    page = admin_client.get(reverse("admin:integration_statusimportmapping_changelist")).content.decode()
    assert "RetailCRM entries with no mapping yet" in page and "<code>assembling</code>" in page


def test_the_first_sync_preloads_the_export_statuses_of_the_manual(crm):
    run_inline("sync-references")
    table = dict(im.StatusExportMapping.objects.values_list("local_state__code", "crm_status__code")
                 .filter(rule="state"))
    assert table == {"pending-approval": "new", "to-fulfil": "assembling", "for-shipment": "for-shipment", "closed": "complete"}
    # Seed 001 §7's two rows that are no state: "closed with all lines cancelled" and "unposting" (F5).
    rules = dict(im.StatusExportMapping.objects.exclude(rule="state").values_list("rule", "crm_status__code"))
    assert rules == {"all-cancelled": "cancel", "unposting": "cancel"}
    im.StatusExportMapping.objects.filter(local_state__code="closed").delete()  # the operator's edits
    im.StatusExportMapping.objects.filter(rule="unposting").delete()
    run_inline("sync-references")
    assert im.StatusExportMapping.objects.count() == 4


def test_payment_types_of_other_shops_are_not_offered(admin_client, crm):
    from django.urls import reverse

    run_inline("sync-references")
    requests.post(f"{crm.url}/sandbox/references/payment-types/other-shop-cash",
                  json={"name": "Cash of another shop", "sites": ["second-shop"]}, timeout=5)
    run_inline("sync-references")
    assert im.CrmPaymentType.objects.filter(code="other-shop-cash").exists()
    page = admin_client.get(reverse("admin:integration_paymenttypemapping_changelist")).content.decode()
    assert "<code>cash</code>" in page and "other-shop-cash" not in page
    form = admin_client.get(reverse("admin:integration_paymenttypemapping_add")).context["adminform"].form
    offered = {entry.code for entry in form.fields["crm_payment_type"].queryset}
    assert "cash" in offered and "other-shop-cash" not in offered
