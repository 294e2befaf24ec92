"""Mapping pages appear when their mode is on, as the manuals' tabs do."""

import pytest
from django.urls import reverse

from integration.models import CrmSettings


@pytest.mark.django_db
def test_price_types_and_organizations_show_only_in_their_modes(admin_client):
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "B1 · statuses for import" in index
    assert "B5 · price types" not in index and "B8 · multiple organizations" not in index
    CrmSettings.objects.update_or_create(pk=1, defaults={"use_price_types": True, "multiple_organizations": True})
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "B5 · price types" in index and "B8 · multiple organizations" in index


@pytest.mark.django_db
def test_editing_a_manager_by_hand_stops_automatic_matching(admin_client, django_user_model):
    from integration.models import CrmUser, ManagerMapping

    olga = django_user_model.objects.create_user("olga", "olga@example.com")
    mapping = ManagerMapping.objects.create(crm_user=CrmUser.objects.create(crm_id=5, email="x@example.com"), matched_automatically=True)
    url = reverse("admin:integration_managermapping_change", args=[mapping.pk])
    response = admin_client.post(url, {"crm_user": mapping.crm_user_id, "local_user": olga.pk, "manual_id": ""})
    assert response.status_code == 302
    mapping.refresh_from_db()
    assert mapping.local_user == olga and not mapping.matched_automatically
