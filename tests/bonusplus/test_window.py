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
