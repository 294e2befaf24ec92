"""Group files: parents by code or GUID, moves that recompute descendants' paths, no cycles."""

import pytest

from catalog.models import ProductGroup
from tests.catalog_io.conftest import import_file, to_bytes, upload
from tests.catalog_io.files import GROUPS

pytestmark = pytest.mark.django_db


def _invalid(result) -> dict[int, str]:
    return {row.number: str(row.error_dict) for row in result.invalid_rows}


def test_moving_a_group_moves_its_whole_subtree(admin_client):
    import_file(admin_client, "productgroup", to_bytes(GROUPS + [["milk", "Milk", "dairy"]]))
    clothes = ProductGroup.objects.get(code="clothes")

    import_file(admin_client, "productgroup", to_bytes([GROUPS[0], ["dairy", "Dairy", "clothes"]]))

    dairy, milk = ProductGroup.objects.get(code="dairy"), ProductGroup.objects.get(code="milk")
    assert dairy.parent == clothes and dairy.path.startswith(clothes.path)
    assert milk.path == dairy.path + str(milk.pk).zfill(6) and milk.depth == 2


def test_a_move_under_its_own_subgroup_is_refused(admin_client):
    import_file(admin_client, "productgroup", to_bytes(GROUPS))
    paths = sorted(ProductGroup.objects.values_list("code", "path"))

    result = upload(admin_client, "productgroup", to_bytes([GROUPS[0], ["food", "Food", "dairy"]])).context["result"]

    assert "cannot be moved under itself" in _invalid(result)[1]
    assert sorted(ProductGroup.objects.values_list("code", "path")) == paths


def test_two_rows_that_together_make_a_cycle_are_refused(admin_client):
    import_file(admin_client, "productgroup", to_bytes(GROUPS))
    rows = [GROUPS[0], ["clothes", "Clothes", "bakery"], ["bakery", "Bakery", "t-shirts"]]

    result = upload(admin_client, "productgroup", to_bytes(rows)).context["result"]

    assert "cannot be moved under itself" in _invalid(result)[2]
    assert ProductGroup.objects.get(code="clothes").parent is None


def test_a_subgroup_before_its_parent_gets_a_clear_error(admin_client):
    rows = [GROUPS[0], ["dairy", "Dairy", "food"], ["food", "Food", ""]]

    result = upload(admin_client, "productgroup", to_bytes(rows)).context["result"]

    assert "defined further down, in row 2: put parent groups first" in _invalid(result)[1]
    assert ProductGroup.objects.count() == 0


def test_parents_may_be_given_by_guid_and_shared_codes_must_be(admin_client):
    first = ProductGroup.objects.create(code="misc", name="Misc A")
    ProductGroup.objects.create(code="misc", name="Misc B")
    rows = [["code", "name", "parent"], ["a", "A", str(first.guid)], ["b", "B", "misc"]]

    result = upload(admin_client, "productgroup", to_bytes(rows)).context["result"]

    assert 1 not in _invalid(result)
    assert "Several product groups have the code “misc”" in _invalid(result)[2]


def test_groups_without_codes_round_trip_by_guid(admin_client):
    rows = [["guid", "code", "name", "parent"],
            ["0b7c6f3e-6e55-4a6b-9f59-2f0d3c1d0001", "", "Root", ""],
            ["0b7c6f3e-6e55-4a6b-9f59-2f0d3c1d0002", "", "Leaf", "0b7c6f3e-6e55-4a6b-9f59-2f0d3c1d0001"]]

    import_file(admin_client, "productgroup", to_bytes(rows))

    leaf = ProductGroup.objects.get(name="Leaf")
    assert leaf.parent.name == "Root" and str(leaf.guid).endswith("0002")
