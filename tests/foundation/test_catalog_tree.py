import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Product, ProductGroup


@pytest.fixture
def tree(db):
    food = ProductGroup.objects.create(name="Food")
    dairy = ProductGroup.objects.create(name="Dairy", parent=food)
    cheese = ProductGroup.objects.create(name="Cheese", parent=dairy)
    tools = ProductGroup.objects.create(name="Tools")
    for group in (food, dairy, cheese, tools):
        Product.objects.create(code=f"c-{group.name}", name=f"Item of {group.name}", group=group)
    return {"food": food, "dairy": dairy, "cheese": cheese, "tools": tools}


def test_products_under_groups_is_one_query(tree):
    with CaptureQueriesContext(connection) as ctx:
        names = set(Product.objects.filter(ProductGroup.subtree_q([tree["dairy"]])).values_list("name", flat=True))
    assert names == {"Item of Dairy", "Item of Cheese"}
    assert len(ctx.captured_queries) == 1


def test_moving_a_group_moves_its_subtree(tree):
    tree["dairy"].parent = tree["tools"]
    tree["dairy"].save()
    names = set(Product.objects.filter(ProductGroup.subtree_q([tree["tools"]])).values_list("name", flat=True))
    assert names == {"Item of Tools", "Item of Dairy", "Item of Cheese"}
    cheese = ProductGroup.objects.get(pk=tree["cheese"].pk)
    assert cheese.depth == 2 and cheese.path.startswith(tree["tools"].path)


def test_a_group_cannot_move_under_its_own_descendant(tree):
    food = tree["food"]
    food.parent = tree["cheese"]
    with pytest.raises(ValueError):
        food.save()


def test_an_empty_group_list_matches_nothing(tree):
    assert not Product.objects.filter(ProductGroup.subtree_q([])).exists()
