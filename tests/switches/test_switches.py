"""A3: every exchange-mode switch does what it says; one whose feature is not built is not shown.

The switches are discovered from the model and the job registry, so a new switch (or a new job
kind gated by one) fails ``test_every_switch_is_accounted_for`` until it is covered here.
"""

import pytest
from django.db.models import BooleanField
from django.urls import reverse
from django.utils import translation

from integration import models as im
from integration.retailcrm.features import NOT_BUILT, hidden_fields
from integration.exchange.jobs import SwitchedOff, all_kinds, run_inline
from integration.exchange.jobs.runner import perform
from integration.exchange.jobs.schedule import tick
from integration.exchange.messages import render
from integration.models import CrmSettings, JobRun
from integration.retailcrm.settings_file import export_settings
from tests.exports.conftest import crm_offer, map_exports, register_offers
from tests.loyalty.conftest import configure_loyalty
from tests.sandbox_world import connected_sandbox

GATED = {kind.name: kind.switch for kind in all_kinds() if kind.switch}  # job kind → its switch
# Modes that change how a job works rather than whether it runs; each has a case below.
BEHAVIOUR = ("use_price_types", "multiple_organizations", "corporate_customers", "create_payment_documents",
             "create_sales", "create_returns")
NOT_MODES = {"connection_ok", "connection_warning", "prices_include_vat", "prefix_organization_guid"}  # other yes/no settings


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English, whatever language an earlier test left active in this thread."""
    with translation.override("en"):
        yield


def test_every_switch_is_accounted_for():
    booleans = {field.name for field in CrmSettings._meta.fields if isinstance(field, BooleanField)}
    assert booleans - NOT_MODES == set(CrmSettings.EXCHANGE_MODES)
    for name in CrmSettings.EXCHANGE_MODES:
        assert (name in NOT_BUILT.get("CrmSettings", ())) + (name in GATED.values()) + (name in BEHAVIOUR) == 1, name
    assert set(CASES) == set(GATED), "every gated job kind needs a case: how to run it and what it does"


@pytest.fixture
def crm(db, settings):
    settings.RETAILCRM_RATE_LIMIT_RPS = 500
    with connected_sandbox() as server:
        map_exports()
        register_offers(server)
        state = im.OrderState.objects.get(code="to-fulfil")
        for status in im.CrmStatus.objects.all():
            im.StatusImportMapping.objects.get_or_create(crm_status=status, defaults={"local_state": state})
        configure_loyalty(server)  # switches the loyalty program on and chooses program 1
        server.customer = im.Customer.objects.create(last_name="Switch", phone="+7 903 000-00-01")
        yield server


def _requests(server) -> int:
    return sum(stats["total"] for stats in server.rate_stats().values())


def _refreshed_at():
    from loyalty.models import LoyaltySettings

    return LoyaltySettings.get_solo().programs_refreshed_at


def _participants():
    from loyalty.models import Participation

    return Participation.objects.filter(active=True).count()


def _exported_document(crm, model):
    """A posted document of a CRM order, waiting for its export (as an operator's posting leaves it)."""
    from integration.documents.posting import post
    from integration.documents.returns import make_return
    from integration.documents.sales import SaleDefaults, make_sale

    CrmSettings.objects.update(**{f"export_{model}s": True})  # off by default; the off case switches it off again
    crm_id = next(crm_id for crm_id, data in crm.state.orders.items() if data["site"] == "main-shop" and data["items"])
    run_inline("import-order", options={"id": crm_id})
    order = im.Order.objects.get(crm_id=crm_id)
    crm.document_order = crm_id
    if model == "payment":
        im.PaymentTypeMapping.objects.update_or_create(crm_payment_type=im.CrmPaymentType.objects.get(code="cash"),
                                                       defaults={"document_kind": "cash-receipt"})
        im.Payment.objects.create(order=order, document_kind="cash-receipt", amount=1, posted=True, export_pending=True)
        return {}
    sale = make_sale(order, SaleDefaults())
    post(sale, source="import")
    if model == "sale":
        im.Sale.objects.filter(pk=sale.pk).update(export_pending=True)
        return {}
    order.closed = True
    order.save(update_fields=["closed"])
    line = sale.lines.exclude(order_line__crm_item_id=None).first()
    document = make_return(sale, {line.order_line_id: line.quantity})
    post(document, source="import")
    im.Return.objects.filter(pk=document.pk).update(export_pending=True)
    return {}


def _due_order(crm) -> dict:
    """F1: a CRM order imported, given another state and posted (export on while it is posted)."""
    from integration.documents import posting

    CrmSettings.objects.update(export_order_changes=True)
    crm.due_order = next(iter(crm.state.orders))
    run_inline("import-order", options={"id": crm.due_order})
    order = im.Order.objects.get(crm_id=crm.due_order)
    order.state = im.OrderState.objects.get(code="pending-approval")
    posting.post(order)
    assert im.Order.objects.get(pk=order.pk).export_pending
    return {}


# kind → (options for a run, what the run changes here)
CASES = {
    "export-payments": (lambda crm: _exported_document(crm, "payment"),
                        lambda crm: len(crm.state.orders[crm.document_order]["payments"])),
    "export-sales": (lambda crm: _exported_document(crm, "sale"),
                     lambda crm: crm.state.orders[crm.document_order].get("shipped")),
    "export-returns": (lambda crm: _exported_document(crm, "return"),
                       lambda crm: sorted(item.get("status") or "" for item in crm.state.orders[crm.document_order]["items"])),
    "export-order-changes": (_due_order, lambda crm: crm.state.orders[crm.due_order]["status"]),
    "import-orders": (lambda crm: {"since": "2020-01-01"}, lambda crm: im.Order.objects.count()),
    "import-order": (lambda crm: {"id": next(iter(crm.state.orders))}, lambda crm: im.Order.objects.count()),
    "export-stock": (lambda crm: {"full": True}, lambda crm: len(crm.state.uploads["stock"])),
    "export-prices": (lambda crm: {"full": True}, lambda crm: len(crm.state.uploads["prices"])),
    "refresh-loyalty": (lambda crm: {}, lambda crm: _refreshed_at()),
    "register-loyalty": (lambda crm: {"customer_ids": str(crm.customer.pk)}, lambda crm: _participants()),
}


@pytest.mark.parametrize("kind_name", sorted(GATED))
def test_a_switched_off_kind_refuses_naming_its_switch_and_does_nothing(crm, kind_name):
    options_of, effect_of = CASES[kind_name]
    options = options_of(crm)
    CrmSettings.objects.update(**{GATED[kind_name]: False})
    label = CrmSettings.switch_label(GATED[kind_name])
    before, requests = effect_of(crm), _requests(crm)

    with pytest.raises(SwitchedOff, match=f"“{label}” is switched off"):
        run_inline(kind_name, options=options)
    # A run queued before the switch went off is refused when a worker takes it.
    queued = JobRun.objects.create(kind=kind_name, trigger=JobRun.Trigger.BUTTON, options=options)
    assert perform(queued.pk) == JobRun.Status.REFUSED
    queued.refresh_from_db()
    assert label in render(queued.messages[-1]) and queued.finished_at is not None
    # A scheduled tick records the refusal instead of running or staying silent.
    assert label in tick(kind_name)
    refused = JobRun.objects.filter(kind=kind_name, trigger=JobRun.Trigger.SCHEDULE).get()
    assert refused.status == JobRun.Status.REFUSED and label in render(refused.messages[-1])

    assert effect_of(crm) == before and _requests(crm) == requests


@pytest.mark.parametrize("kind_name", sorted(GATED))
def test_a_switched_on_kind_does_its_work(crm, kind_name):
    options_of, effect_of = CASES[kind_name]
    options = options_of(crm)
    before, requests = effect_of(crm), _requests(crm)
    run = run_inline(kind_name, options=options)
    assert run.status in (JobRun.Status.SUCCEEDED, JobRun.Status.WARNINGS), (render(run.error), run.messages)
    assert effect_of(crm) != before and _requests(crm) > requests


def test_the_webhook_answers_200_and_queues_nothing_while_import_is_off(db, client):
    CrmSettings.objects.update_or_create(pk=1, defaults={"import_orders": False, "connection_ok": True,
                                                         "webhook_token": "switch-test-token-0123456789"})
    response = client.post(reverse("retailcrm-webhook", kwargs={"token": "switch-test-token-0123456789"}),
                           "id=138", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and response.json()["status"] == "off"
    row = im.WebhookRequest.objects.get()
    assert (row.status, row.order_crm_id, row.run_id) == (im.WebhookRequest.Status.SWITCHED_OFF, 138, None)
    assert not JobRun.objects.exists()
    with translation.override("ru"):
        assert row.get_status_display() == "Не поставлено в очередь: загрузка заказов выключена"


def _prices_sent(crm):
    crm_offer(crm, "DEMO-0001")["prices"] = {"wholesale": 1.0}
    run_inline("export-prices", options={"full": True})
    return crm_offer(crm, "DEMO-0001")["prices"]["wholesale"]


def _shops_sent(crm):
    from catalog.models import Organization

    organization = Organization.objects.first()
    for code in ("main-shop", "second-shop"):
        im.ShopOrganization.objects.get_or_create(crm_site=im.CrmSite.objects.get(code=code),
                                                  defaults={"organization": organization})
    return run_inline("export-stock", options={"full": True}).counts["sent"]


def _company_customer(crm):
    from integration.retailcrm.orders.apply import sync_order_from_crm

    data = dict(crm.state.orders[next(iter(crm.state.orders))])
    data["customer"] = {"type": "customer_corporate", "id": 9001, "nickName": "OOO Switch"}
    sync_order_from_crm(data)
    return im.Customer.objects.filter(crm_corporate_id=9001).exists()


def _crm_order_with(crm, **fields):
    import requests

    body = {"site": "main-shop", "status": "new", "firstName": "Mode", "phone": "+79005550199",
            "items": [{"offer": {"externalId": "DEMO-0001"}, "quantity": 2}], **fields}
    return requests.post(f"{crm.url}/sandbox/orders", json=body, timeout=5).json()["id"]


def _payment_documents(crm):
    im.PaymentTypeMapping.objects.update_or_create(crm_payment_type=im.CrmPaymentType.objects.get(code="cash"),
                                                   defaults={"document_kind": "cash-receipt"})
    if not hasattr(crm, "paid_order"):
        crm.paid_order = _crm_order_with(crm, payments=[{"type": "cash", "status": "paid", "amount": 10}])
    run_inline("import-order", options={"id": crm.paid_order})
    return im.Payment.objects.filter(order__crm_id=crm.paid_order, posted=True).count()


def _sales(crm):
    if not hasattr(crm, "complete_order"):
        crm.complete_order = _crm_order_with(crm, status="complete")
    im.StatusImportMapping.objects.filter(crm_status__code="complete").update(create_sale=True)
    run_inline("import-order", options={"id": crm.complete_order})
    return im.Sale.objects.filter(order__crm_id=crm.complete_order, posted=True).count()


def _returns(crm):
    import requests

    if not hasattr(crm, "returned_order"):
        CrmSettings.objects.update(create_sales=True)
        im.StatusImportMapping.objects.filter(crm_status__code="complete").update(create_sale=True)
        crm.returned_order = _crm_order_with(crm, status="complete")
        run_inline("import-order", options={"id": crm.returned_order})
        im.Order.objects.filter(crm_id=crm.returned_order).update(closed=True)
        item = crm.state.orders[crm.returned_order]["items"][0]["id"]
        requests.post(f"{crm.url}/sandbox/orders/{crm.returned_order}/edit", timeout=5,
                      json={"status": "return", "items": [{"id": item, "status": "returned"}]}).raise_for_status()
    run_inline("import-order", options={"id": crm.returned_order})
    return im.Return.objects.filter(order__crm_id=crm.returned_order, posted=True).count()


@pytest.mark.parametrize("switch, observe, when_off, when_on", [
    ("create_payment_documents", _payment_documents, 0, 1),
    ("create_sales", _sales, 0, 1),
    ("create_returns", _returns, 0, 1),
    ("use_price_types", _prices_sent, 1.0, None),  # off: only the sale price feeds "base"; on: B5's types too
    ("multiple_organizations", _shops_sent, None, None),
    ("corporate_customers", _company_customer, False, True),
])
def test_a_mode_switch_changes_what_its_job_does(crm, switch, observe, when_off, when_on):
    CrmSettings.objects.update(**{switch: False})
    off = observe(crm)
    CrmSettings.objects.update(**{switch: True})
    on = observe(crm)
    assert off != on
    if when_off is not None:
        assert off == when_off
    if when_on is not None:
        assert on == when_on
    if switch == "multiple_organizations":
        assert on == 2 * off  # both B8 shops instead of the default one


def test_switches_of_features_not_built_are_not_shown(admin_client, crm):
    CrmSettings.objects.update(multiple_organizations=True, use_price_types=True)
    page = admin_client.get(reverse("admin:integration_crmsettings_change")).content.decode()
    for name in hidden_fields(CrmSettings):
        assert f'name="{name}"' not in page and str(CrmSettings._meta.get_field(name).verbose_name) not in page, name
    for name in set(CrmSettings.EXCHANGE_MODES) - hidden_fields(CrmSettings):
        assert f'name="{name}"' in page, name
    # B1 "create sale", B6 "use for export" and B8 "create sales" are built (E4, F2): shown.
    pages = {im.StatusImportMapping: ("changelist", "create_sale"), im.PaymentTypeMapping: ("add", "use_for_export"),
             im.ShopOrganization: ("add", "create_sales")}
    for model, (view, name) in pages.items():
        assert not hidden_fields(model)
        html = admin_client.get(reverse(f"admin:integration_{model._meta.model_name}_{view}")).content.decode()
        assert name in html, (model.__name__, name)
    data = export_settings()
    assert not hidden_fields(CrmSettings) & set(data["settings"])
    assert all("create_sale" in row for row in data["status_import"]) and data["status_import"]


def test_a_settings_file_restore_keeps_the_values_of_hidden_switches(crm, monkeypatch):
    """Every switch is built today; a future one listed in features.NOT_BUILT must still keep its value."""
    from integration.retailcrm.settings_file import import_settings

    monkeypatch.setitem(NOT_BUILT, "CrmSettings", frozenset({"export_order_changes"}))
    CrmSettings.objects.update(export_order_changes=True)
    data = export_settings()
    assert "export_order_changes" not in data["settings"]
    import_settings(data)
    assert CrmSettings.get_solo().export_order_changes
