"""The capped paginator: one bounded count tells both the count and whether there is more."""

import pytest

from conftest import Tree
from jiceng.core.pagination import CappedPaginator
from jiceng.org.models import Unit


@pytest.mark.parametrize(("over", "capped"), [(-1, True), (0, False), (1, False)])
def test_counts_once_up_to_the_cap(tree: Tree, django_assert_num_queries, over: int, capped):
    units = Unit.objects.order_by("id")
    total = units.count()
    paginator = CappedPaginator(units, 2)
    paginator.cap = total + over
    with django_assert_num_queries(1):
        assert paginator.count == min(total, total + over)
        assert paginator.capped is capped
