"""B3: managers match local users by e-mail in any case; manual choices are never overwritten."""

import pytest

from integration import models as im
from integration.retailcrm.references import match_managers


@pytest.fixture
def people(django_user_model, db):
    olga = django_user_model.objects.create_user("olga", "Olga.Manager@Shop.example")
    petr = django_user_model.objects.create_user("petr", "petr@shop.example")
    crm = {
        "olga": im.CrmUser.objects.create(crm_id=1, email="olga.manager@shop.example"),
        "petr": im.CrmUser.objects.create(crm_id=2, email="PETR@SHOP.EXAMPLE"),
        "nobody": im.CrmUser.objects.create(crm_id=3, email="ghost@shop.example"),
        "manual": im.CrmUser.objects.create(crm_id=4, email="petr@shop.example"),
    }
    im.ManagerMapping.objects.create(crm_user=crm["manual"], manual_id="1C-0007")
    return {"olga": olga, "petr": petr, **{f"crm_{k}": v for k, v in crm.items()}}


def test_it_matches_by_email_ignoring_case(people):
    assert match_managers() == 2
    assert im.ManagerMapping.objects.get(crm_user=people["crm_olga"]).local_user == people["olga"]
    mapping = im.ManagerMapping.objects.get(crm_user=people["crm_petr"])
    assert mapping.local_user == people["petr"] and mapping.matched_automatically


def test_a_user_with_no_local_match_is_listed_unmapped(people):
    match_managers()
    mapping = im.ManagerMapping.objects.get(crm_user=people["crm_nobody"])
    assert mapping.local_user is None and not mapping.matched_automatically


def test_manual_choices_are_kept(people):
    manual = im.ManagerMapping.objects.get(crm_user=people["crm_manual"])
    match_managers()
    manual.refresh_from_db()
    assert manual.local_user is None and manual.manual_id == "1C-0007"

    chosen = im.ManagerMapping.objects.get(crm_user=people["crm_olga"])
    chosen.local_user, chosen.matched_automatically = people["petr"], False  # operator's own choice
    chosen.save()
    assert match_managers() == 0
    chosen.refresh_from_db()
    assert chosen.local_user == people["petr"]
