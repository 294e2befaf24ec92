"""Admin pages of the loyalty program (G1–G5) through the Django test client."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.demo import seed_demo_catalog
from catalog.models import Product
from integration import models as im
from integration.models import Customer, JobRun
from loyalty.models import LoyaltySettings, Participation
from tests.loyalty.conftest import configure_loyalty

CANDIDATES = reverse("admin:loyalty_registrationcandidate_changelist")


def _change(customer):
    return reverse("admin:integration_customer_change", args=[customer.pk])


def _action(customer, name):
    return reverse("admin:integration_customer_actions", args=[customer.pk, name])


def _no_secrets(html, crm):
    assert crm.api_key not in html
    assert im.CrmSettings.get_solo().webhook_token not in html


def test_mass_registration_page_lists_customers_to_register(admin_client, crm, loyalty_on):
    member = Customer.objects.create(last_name="Участник", phone="+7 941 296-34-78", crm_id=101)
    Participation.objects.create(customer=member, program=loyalty_on, crm_account_id=1, status="activated", active=True)
    waiting = Customer.objects.create(last_name="Дозорова", first_name="Ольга", phone="89501322590",
                                      email="olga@example.com", address="398005 Липецк")
    Customer.objects.create(last_name="Безтелефонный")

    response = admin_client.get(CANDIDATES)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Дозорова" in html and "89501322590" in html and "398005 Липецк" in html
    assert "Участник" not in html and "Безтелефонный" not in html
    assert "Бонусный клуб" in html
    assert 'id="sms-confirmation-note"' not in html
    assert 'name="_selected_action"' in html and 'id="action-toggle"' in html  # select all / none
    _no_secrets(html, crm)

    # "Register" queues one job with the chosen customers
    response = admin_client.post(CANDIDATES, {"action": "register_in_program", "_selected_action": [waiting.pk]})
    assert response.status_code == 302
    run = JobRun.objects.get(kind="register-loyalty")
    assert run.options == {"customer_ids": [waiting.pk]}


def test_registration_page_says_when_sms_confirmation_is_needed(admin_client, crm, run_queued_jobs,
                                                               django_capture_on_commit_callbacks):
    configure_loyalty(crm, confirmSmsRegistration=True)
    customer = Customer.objects.create(last_name="Смс", phone="+7 702 111-22-33")
    html = admin_client.get(CANDIDATES).content.decode()
    assert 'id="sms-confirmation-note"' in html

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(CANDIDATES, {"action": "register_in_program", "_selected_action": [customer.pk]})
    run_queued_jobs()

    participation = Participation.objects.get(customer=customer)
    assert participation.status == "not_confirmed" and not participation.active
    html = admin_client.get(_change(customer)).content.decode()
    assert "Waiting for SMS confirmation" in html
    assert "has not confirmed the phone" in html


def test_registration_is_refused_with_a_reason_when_no_program_is_chosen(admin_client, crm):
    im.CrmSettings.objects.update(loyalty_program=True)
    customer = Customer.objects.create(last_name="Рано", phone="+7 702 000-11-11")
    response = admin_client.post(CANDIDATES, {"action": "register_in_program", "_selected_action": [customer.pk]},
                                 follow=True)
    assert "No loyalty program is chosen" in response.content.decode()
    assert not JobRun.objects.filter(kind="register-loyalty").exists()


def test_customer_buttons_follow_the_manuals_availability_rules(admin_client, crm, loyalty_on):
    customer = Customer.objects.create(last_name="Залозных", first_name="Игорь", phone="+7 (916) 1204589",
                                       email="dorogoiigor@yandex.ru")
    html = admin_client.get(_change(customer)).content.decode()
    assert _action(customer, "create_in_crm") in html
    assert _action(customer, "update_in_crm") not in html
    assert _action(customer, "register_in_program") in html
    assert "Not registered in the loyalty program." in html

    response = admin_client.post(_action(customer, "create_in_crm"), follow=True)
    customer.refresh_from_db()
    assert customer.crm_id and crm.state.customers[customer.crm_id]["externalId"] == customer.external_id
    html = response.content.decode()
    assert "Customer created in RetailCRM" in html
    assert _action(customer, "create_in_crm") not in html and _action(customer, "update_in_crm") in html

    Customer.objects.filter(pk=customer.pk).update(email="igor@example.com")
    response = admin_client.post(_action(customer, "update_in_crm"), follow=True)
    assert "Customer updated in RetailCRM" in response.content.decode()
    assert crm.state.customers[customer.crm_id]["email"] == "igor@example.com"

    response = admin_client.post(_action(customer, "register_in_program"), follow=True)
    html = response.content.decode()
    assert "Registered in the loyalty program" in html
    participation = Participation.objects.get(customer=customer)
    assert participation.active
    assert _action(customer, "register_in_program") not in html
    assert _action(customer, "refresh_bonus_account") in html
    _no_secrets(html, crm)


def test_no_phone_means_no_registration_button(admin_client, crm, loyalty_on):
    customer = Customer.objects.create(last_name="Беззвонный")
    html = admin_client.get(_change(customer)).content.decode()
    assert _action(customer, "register_in_program") not in html
    assert "Fill in the phone" in html
    response = admin_client.post(_action(customer, "register_in_program"), follow=True)
    assert "Fill in the customer&#x27;s phone first" in response.content.decode()


def test_loyalty_buttons_need_the_program_switched_on(admin_client, crm):
    customer = Customer.objects.create(last_name="Выключенный", phone="+7 702 000-22-22")
    html = admin_client.get(_change(customer)).content.decode()
    assert _action(customer, "register_in_program") not in html
    assert _action(customer, "create_in_crm") in html
    assert "switched off" in html


def test_bonus_panel_renders_from_the_local_copy_and_refreshes_on_request(admin_client, crm, loyalty_on):
    customer = Customer.objects.create(last_name="Петров", first_name="Иван", phone="+7 941 296-34-78", crm_id=101)
    Participation.objects.create(customer=customer, program=loyalty_on, crm_account_id=1, status="activated",
                                 active=True, balance=Decimal("10"))
    requests_before = crm.rate_stats()[crm.api_key]["total"]
    response = admin_client.get(_change(customer))
    assert response.status_code == 200
    assert crm.rate_stats()[crm.api_key]["total"] == requests_before  # the page never calls RetailCRM

    response = admin_client.post(_action(customer, "refresh_bonus_account"), follow=True)
    html = response.content.decode()
    assert "The bonus account has been read from RetailCRM" in html
    participation = Participation.objects.get(customer=customer)
    account = crm.state.loyalty_accounts[1]
    assert participation.balance == Decimal(str(account["amount"]))
    assert participation.card_number == "BC100000" and participation.level["name"] == "Серебряный"
    for text in ("BC100000", "Серебряный", "Rules of the current level", "5% in bonuses", "Sum to the next level"):
        assert text in html
    _no_secrets(html, crm)


def test_order_bonuses_show_on_the_customer_and_in_the_order(admin_client, crm):
    seed_demo_catalog()
    customer = Customer.objects.create(last_name="Бонусов", phone="+7 702 000-33-33")
    order = im.Order.objects.create(number="CRM-1", customer=customer, bonuses_charged=Decimal("5"),
                                    bonuses_credited=Decimal("2"))
    im.OrderLine.objects.create(order=order, product=Product.objects.first(), quantity=1, price=100, amount=95,
                                bonuses_charged=Decimal("5"), bonuses_credited=Decimal("2"))
    html = admin_client.get(_change(customer)).content.decode()
    assert "CRM-1" in html and "Bonuses charged" in html
    html = admin_client.get(reverse("admin:integration_order_change", args=[order.pk])).content.decode()
    assert "bonuses_charged" in html and "bonuses_credited" in html


def test_settings_page_shows_the_program_and_refreshes_a_stale_copy(admin_client, crm, loyalty_on, run_queued_jobs,
                                                                    django_capture_on_commit_callbacks):
    LoyaltySettings.objects.update(programs_refreshed_at=timezone.now() - timedelta(hours=2))
    crm.state.loyalties[1]["blocked"] = True
    url = reverse("admin:loyalty_loyaltysettings_change")

    with django_capture_on_commit_callbacks(execute=True):
        html = admin_client.get(url).content.decode()
    assert "Loyalty programs are being refreshed" in html
    assert "Бонусный клуб" in html and "Серебряный" in html
    assert reverse("admin:loyalty_registrationcandidate_changelist") in html
    _no_secrets(html, crm)
    run_queued_jobs()

    loyalty_on.refresh_from_db()
    assert loyalty_on.blocked
    html = admin_client.get(url).content.decode()
    assert "Loyalty programs are being refreshed" not in html


def test_a_failed_refresh_is_not_retried_on_every_page_view(admin_client, crm, loyalty_on, run_queued_jobs,
                                                            django_capture_on_commit_callbacks):
    LoyaltySettings.objects.update(programs_refreshed_at=timezone.now() - timedelta(hours=2))
    crm.set_faults(error_rate=1.0, status=500)  # the CRM is down: the refresh fails, the copy stays stale
    url = reverse("admin:loyalty_loyaltysettings_change")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.get(url)
    run_queued_jobs()
    runs = JobRun.objects.filter(kind="refresh-loyalty")
    assert runs.first().status == JobRun.Status.FAILED
    attempts = runs.count()

    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.get(url)
    assert runs.count() == attempts


@pytest.mark.parametrize("page", ["admin:loyalty_loyaltyprogram_changelist", "admin:loyalty_participation_changelist",
                                  "admin:index"])
def test_other_pages_render(admin_client, crm, loyalty_on, page):
    html = admin_client.get(reverse(page)).content.decode()
    assert "mass registration in the loyalty program" in html.lower() or page != "admin:index"
