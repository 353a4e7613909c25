"""Cached counts of the tree (`org/counts.py`): right after every kind of change, one query when
not cached and none when cached."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Tree
from jiceng.core.actor import Actor
from jiceng.core.tests.helpers import add_children
from jiceng.org import services
from jiceng.org.counts import level_counts, tree_token
from jiceng.org.models import Level

pytestmark = pytest.mark.django_db


def _grassroots(tree: Tree) -> dict[str, int]:
    """Associations under each province, read through the cache."""
    counts = level_counts(tree.root, [Level.GRASSROOTS])
    return {
        name: counts.get((getattr(tree, name).path, Level.GRASSROOTS), 0)
        for name in ("anhui", "jiangsu")
    }


def test_counts_are_cached_until_the_tree_changes(tree: Tree):
    before = _grassroots(tree)
    assert before["anhui"] >= 2
    with CaptureQueriesContext(connection) as ctx:
        assert _grassroots(tree) == before
    assert len(ctx.captured_queries) == 0
    # Added one by one (a save): counted at once.
    services.unit_create(
        actor=Actor.system(),
        parent=tree.nanjing,
        data={"name": "秦淮区个私协会", "code": "320104", "level": Level.GRASSROOTS},
    )
    assert _grassroots(tree) == {**before, "jiangsu": before["jiangsu"] + 1}
    # Moved between provinces.
    services.unit_move(actor=Actor.system(), unit=tree.shushan, new_parent=tree.nanjing)
    moved = _grassroots(tree)
    assert moved == {"anhui": before["anhui"] - 1, "jiangsu": before["jiangsu"] + 2}
    # Inserted in bulk (the seeders' way), which says so itself.
    add_children(tree.nanjing, 5)
    assert _grassroots(tree)["jiangsu"] == moved["jiangsu"] + 5
    with CaptureQueriesContext(connection) as ctx:
        level_counts(tree.root, [Level.GRASSROOTS])
    assert len(ctx.captured_queries) == 0


def test_a_lost_token_never_brings_back_old_counts(tree: Tree):
    from django.core.cache import cache

    first = tree_token()
    stale = _grassroots(tree)
    cache.delete("org:tree-token")  # evicted
    add_children(tree.hefei, 3)
    assert tree_token() != first
    assert _grassroots(tree)["anhui"] == stale["anhui"] + 3
