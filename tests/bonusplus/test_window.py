"""The order's "БонусПлюс" window and "Информация о бонусах" through the admin, against the emulator."""

from decimal import Decimal as D

from django.contrib.auth.models import Permission
from django.urls import reverse

from loyalty.bonusplus.models import OrderBonus

from .conftest import MANUAL_CARD, MANUAL_PHONE


def window(order):
    return reverse("admin:bonusplus_order_window", args=[order.pk])


def test_order_page_has_both_buttons(admin_client, manual_order, bp):
    page = admin_client.get(reverse("admin:integration_order_change", args=[manual_order.pk]))
    assert page.status_code == 200
    assert b"bonusplus_window" in page.content and b"bonusplus_info" in page.content


def test_find_calculate_apply_in_russian(admin_client, cashier, manual_order, bp):
    page = admin_client.get(window(manual_order), HTTP_ACCEPT_LANGUAGE="ru")
    assert "Найти карту (Alt+F3)" in page.content.decode()
    page = admin_client.post(window(manual_order), {"action": "find", "card": MANUAL_CARD}, HTTP_ACCEPT_LANGUAGE="ru")
    text = page.content.decode()
    assert page.status_code == 200 and "Доступно бонусов" in text and "Петров Иван" in text
    done = admin_client.post(window(manual_order), {"action": "apply", "use_bonuses": "on", "amount": "100"})
    assert done.status_code == 302
    assert [line.amount for line in manual_order.lines.order_by("pk")] == [D("2963.24"), D("3081.76"), D("2015.00")]
    info = admin_client.get(reverse("admin:bonusplus_order_info", args=[manual_order.pk]), HTTP_ACCEPT_LANGUAGE="ru")
    text = info.content.decode()
    assert MANUAL_PHONE in text and "8060.00" in text.replace(",", ".") and "Количество бонусов" in text


def test_without_a_cashier_code_the_operator_is_told_and_nothing_is_sent(admin_client, manual_order, bp):
    page = admin_client.post(window(manual_order), {"action": "find", "card": MANUAL_CARD}, follow=True)
    assert "cashier code" in page.content.decode()
    assert bp.rate_stats() == {} or all(v["total"] == 0 for v in bp.rate_stats().values())
    assert not OrderBonus.objects.filter(order=manual_order).exists()


def test_the_window_needs_its_permission(client, django_user_model, manual_order, bp):
    clerk = django_user_model.objects.create_user("clerk", password="pw-clerk-123", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="change_order"))
    client.force_login(clerk)
    assert client.get(window(manual_order)).status_code == 403
    assert client.post(window(manual_order), {"action": "find", "card": MANUAL_CARD}).status_code == 403


def test_debit_above_the_maximum_is_a_message_on_the_form(admin_client, cashier, manual_order, bp):
    bp.set_program(maxDebitPercent=1)  # 1 % of 8,160: at most 81 bonuses for this check
    admin_client.post(window(manual_order), {"action": "find", "card": MANUAL_CARD})
    page = admin_client.post(window(manual_order), {"action": "apply", "use_bonuses": "on", "amount": "90", "step": "calc"})
    text = page.content.decode()
    assert page.status_code == 200 and "At most 81" in text, text[text.find("messagelist"):][:600]
    manual_order.refresh_from_db()
    assert manual_order.total == D("8160.00")


def test_cashier_code_is_edited_on_the_users_page(admin_client, admin_user):
    page = admin_client.get(reverse("admin:auth_user_change", args=[admin_user.pk]))
    assert b"bonusplus_cashier" in page.content


def test_product_list_has_the_upload_button(admin_client, bp):
    page = admin_client.get(reverse("admin:catalog_product_changelist"), HTTP_ACCEPT_LANGUAGE="ru")
    assert "run_bonusplus_export_catalog" in page.content.decode()


def test_settings_page_never_shows_the_key(admin_client, bp):
    page = admin_client.get(reverse("admin:loyalty_bonusplussettings_change"))
    assert page.status_code == 200
    assert bp.api_key.encode() not in page.content


def test_card_not_found_bind_sms_client_form_then_calculation(admin_client, cashier, manual_order, bp):
    url = window(manual_order)
    card, phone = "2000000055555", "79995550022"
    page = admin_client.post(url, {"action": "find", "card": card}, HTTP_ACCEPT_LANGUAGE="ru")
    assert "Привязать карту к клиенту?" in page.content.decode()
    page = admin_client.post(url, {"action": "bind_yes", "card": card, "step": "ask_bind"})
    assert b'name="phone"' in page.content
    page = admin_client.post(url, {"action": "bind_phone", "card": card, "phone": "8 999 555 00 22", "step": "bind_phone"},
                             HTTP_ACCEPT_LANGUAGE="ru")
    assert f"Привязать карту {card} к номеру телефона {phone}?" in page.content.decode()
    page = admin_client.post(url, {"action": "bind_confirm", "card": card, "phone": phone, "step": "confirm_bind"})
    assert b"bonusplus-skip" in page.content and b'data-wait="30"' in page.content
    page = admin_client.post(url, {"action": "check_code", "card": card, "phone": phone, "step": "code",
                                   "code": bp.last_code(phone)})
    assert b'name="last_name"' in page.content
    page = admin_client.post(url, {"action": "save_client", "card": card, "phone": phone, "step": "client",
                                   "last_name": "Сидорова", "first_name": "Анна", "gender": "female",
                                   "birth_date": "1990-05-01", "email": ""}, HTTP_ACCEPT_LANGUAGE="ru")
    text = page.content.decode()
    assert "Сидорова Анна" in text and "Доступно бонусов" in text
    stored = bp.customer(phone)
    assert (stored["discountCardNumber"], stored["phoneConfirmed"], stored["cashier"]) == (card, True, 17)
    assert OrderBonus.objects.get(order=manual_order).card == card


def test_an_expired_code_is_a_message_and_the_code_step_stays(admin_client, cashier, manual_order, bp):
    url = window(manual_order)
    phone = "79995550033"
    admin_client.post(url, {"action": "bind_confirm", "card": "", "phone": phone, "step": "confirm_bind"})
    code = bp.last_code(phone)
    bp.advance_clock(301)
    page = admin_client.post(url, {"action": "check_code", "phone": phone, "step": "code", "code": code},
                             HTTP_ACCEPT_LANGUAGE="ru")
    text = page.content.decode()
    assert "истёк" in text and "bonusplus-skip" in text


def test_the_api_key_never_reaches_the_log(bp, client_bp, caplog):
    import logging

    from loyalty.bonusplus import errors
    from loyalty.bonusplus.transport import auth_header

    caplog.set_level(logging.DEBUG)
    bp.set_faults(error_after_rate=1.0, match="customer", count=1)
    try:
        client_bp.customer_by_phone(MANUAL_PHONE)
    except errors.BonusPlusError:
        pass
    logging.getLogger("loyalty.bonusplus").info("header was %s", auth_header(bp.api_key))
    assert bp.api_key not in caplog.text
    assert auth_header(bp.api_key).split(" ", 1)[1] not in caplog.text


def test_recalculating_a_posted_order_frees_the_reserve_and_queues_it_again(admin_client, cashier, manual_order, bp,
                                                                            client_bp, run_queued_jobs,
                                                                            django_capture_on_commit_callbacks):
    from integration.documents import posting
    from loyalty.bonusplus import reserve

    admin_client.post(window(manual_order), {"action": "find", "card": MANUAL_CARD})
    admin_client.post(window(manual_order), {"action": "apply", "use_bonuses": "on", "amount": "100"})
    posting.post(manual_order)
    reserve.sync(client_bp, manual_order.pk)
    assert float(bp.customer(MANUAL_PHONE)["reserved"]) == 100
    with django_capture_on_commit_callbacks(execute=True):
        page = admin_client.post(window(manual_order), {"action": "calculate", "step": "calc"})
    assert page.status_code == 200 and float(bp.customer(MANUAL_PHONE)["reserved"]) == 0
    run_queued_jobs()  # left without applying: the reserve comes back
    assert float(bp.customer(MANUAL_PHONE)["reserved"]) == 100
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(window(manual_order), {"action": "apply", "use_bonuses": "on", "amount": "60"})
    run_queued_jobs()
    assert float(bp.customer(MANUAL_PHONE)["reserved"]) == 60
    assert OrderBonus.objects.get(order=manual_order).reserved == D("60")


def test_check_connection_on_the_settings_page(admin_client, bp):
    url = reverse("admin:loyalty_bonusplussettings_actions", kwargs={"pk": 1, "tool": "check_connection"})
    page = admin_client.post(url, follow=True)
    assert "BonusPlus answered" in page.content.decode()
    from loyalty.bonusplus.models import BonusPlusSettings

    BonusPlusSettings.objects.update(api_key="11111111-2222-3333-4444-555555555555")
    page = admin_client.post(url, follow=True)
    assert "did not accept the API key" in page.content.decode()
