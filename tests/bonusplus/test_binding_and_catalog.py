"""Binding a card by SMS (004 §§4–7) and the catalog upload (H2), against the emulator."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Product, ProductGroup
from integration.exchange.jobs import run_inline
from integration.exchange.messages import render
from loyalty.bonusplus import binding, errors, order_calc
from loyalty.bonusplus.models import BonusPlusSettings, CatalogNode, PhoneCheck

NEW_PHONE, NEW_CARD = "79995550011", "2000000099990"


def test_card_not_found_then_bound_to_a_new_phone_after_the_sms_code(bp, client_bp):
    assert order_calc.find(client_bp, card=NEW_CARD).customer is None
    settings_row = BonusPlusSettings.get_solo()
    step = binding.begin(client_bp, "8 999 555-00-11", settings_row)
    assert step.code_needed and step.phone == NEW_PHONE
    with pytest.raises(errors.BonusPlusError):  # no code yet: the form cannot be saved
        binding.save_client(client_bp, NEW_PHONE, NEW_CARD, {}, settings_row)
    binding.confirm(client_bp, NEW_PHONE, bp.last_code(NEW_PHONE))
    customer = binding.save_client(client_bp, NEW_PHONE, NEW_CARD, {"first_name": "Анна", "gender": "female"},
                                   settings_row, cashier="17")
    assert customer["discountCardNumber"] == NEW_CARD
    assert order_calc.find(client_bp, card=NEW_CARD).customer["phone"] == NEW_PHONE
    assert customer["person"]["fn"] == "Анна"


def test_an_existing_phone_opens_its_form_and_gets_the_card(bp, client_bp):
    settings_row = BonusPlusSettings.get_solo()
    settings_row.sms_required = False
    settings_row.save()
    assert not binding.begin(client_bp, "79990000002", settings_row).code_needed
    binding.save_client(client_bp, "79990000002", NEW_CARD, {"email": "oleg@example.com"}, settings_row)
    assert order_calc.find(client_bp, card=NEW_CARD).customer["phone"] == "79990000002"


def test_a_wrong_code_and_an_expired_code_say_so(bp, client_bp):
    settings_row = BonusPlusSettings.get_solo()
    binding.begin(client_bp, NEW_PHONE, settings_row)
    right = bp.last_code(NEW_PHONE)
    wrong = "0000" if right != "0000" else "1111"
    with pytest.raises(errors.WrongSmsCode):
        binding.confirm(client_bp, NEW_PHONE, wrong)
    bp.advance_clock(301)
    with pytest.raises(errors.SmsCodeExpired) as expired:
        binding.confirm(client_bp, NEW_PHONE, right)
    assert "expired" in str(expired.value)
    assert not PhoneCheck.objects.get(phone=NEW_PHONE).verified_at


def test_the_code_can_be_skipped_only_after_the_wait_and_is_asked_again_next_time(bp, client_bp):
    settings_row = BonusPlusSettings.get_solo()
    binding.begin(client_bp, NEW_PHONE, settings_row)
    with pytest.raises(errors.BonusPlusError) as early:
        binding.skip(NEW_PHONE, settings_row)
    assert "skipped in" in str(early.value)
    PhoneCheck.objects.filter(phone=NEW_PHONE).update(code_sent_at=timezone.now() - timedelta(seconds=31))
    binding.skip(NEW_PHONE, settings_row)
    assert binding.may_save(NEW_PHONE, settings_row)
    sent = len(bp.snapshot()["sms"])
    assert binding.begin(client_bp, NEW_PHONE, settings_row).code_needed  # skipped: asked again
    assert len(bp.snapshot()["sms"]) == sent + 1


def test_a_wrong_phone_sends_no_sms(bp, client_bp):
    with pytest.raises(errors.BadPhone):
        binding.begin(client_bp, "+7 (999) 55", BonusPlusSettings.get_solo())
    assert bp.snapshot()["sms"] == [] and client_bp.requests_sent == 0


@pytest.fixture
def catalog_rows(db):
    root = ProductGroup.objects.create(code="tech", name="Техника")
    fans = ProductGroup.objects.create(code="fans", name="Вентиляторы", parent=root)
    products = [Product.objects.create(code=f"F{i}", name=f"Вентилятор {i}", group=fans, article=f"A{i}")
                for i in range(3)]
    Product.objects.create(code="LOOSE", name="Без группы")
    return root, fans, products


def test_catalog_upload_sends_groups_first_then_products_and_repeats_only_changes(bp, cashier, catalog_rows):
    root, fans, products = catalog_rows
    run = run_inline("bonusplus-export-catalog", user=cashier, check_allowed=False)
    assert run.status == "succeeded", (render(run.error), run.messages)
    assert run.counts["groups"] == 2 and run.counts["products"] == 4
    imported = bp.snapshot()["imports"]
    assert sum(item["count"] for item in imported) == 6
    ids = [node for item in imported for node in item["ids"]]
    assert ids.index(f"g{root.pk}") < ids.index(f"g{fans.pk}") < ids.index(f"p{products[0].pk}")
    stored = {p["id"]: p for p in bp.snapshot()["products"]} if isinstance(bp.snapshot()["products"], list) else bp.snapshot()["products"]
    assert stored[f"p{products[0].pk}"]["pid"] == f"g{fans.pk}"

    products[1].name = "Вентилятор новый"
    products[1].save()
    again = run_inline("bonusplus-export-catalog", user=cashier, check_allowed=False)
    assert (again.counts["products"], again.counts["groups"], again.counts["unchanged"]) == (1, 0, 5)
    assert CatalogNode.objects.count() == 6


def test_catalog_upload_refuses_an_operator_without_a_cashier_code(bp, admin_user, catalog_rows):
    run = run_inline("bonusplus-export-catalog", user=admin_user, check_allowed=False)
    assert run.status == "failed"
    assert "cashier code" in render(run.error)
    assert bp.snapshot()["imports"] == []
