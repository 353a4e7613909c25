"""`anchors_of`: each unit's province and grassroots association, however many units — across
several IN lists when their ancestor paths outnumber one (`PATHS_PER_QUERY`)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Tree
from jiceng.core.tests.helpers import add_children
from jiceng.org import anchors
from jiceng.org.anchors import Anchors, anchors_of
from jiceng.org.models import Level


def test_anchors_of_units_at_every_level(tree: Tree):
    found = anchors_of([tree.root, tree.anhui, tree.hefei, tree.shushan, tree.branch])
    assert found[tree.root.pk] == Anchors(None, None)
    assert found[tree.anhui.pk] == Anchors(tree.anhui.pk, None)
    assert found[tree.hefei.pk] == Anchors(tree.anhui.pk, None)
    assert found[tree.shushan.pk] == Anchors(tree.anhui.pk, tree.shushan.pk)
    assert found[tree.branch.pk] == Anchors(tree.anhui.pk, tree.shushan.pk)


def test_more_paths_than_one_query_takes(tree: Tree, monkeypatch: pytest.MonkeyPatch):
    branches = add_children(tree.shushan, 12, level=Level.BRANCH)
    monkeypatch.setattr(anchors, "PATHS_PER_QUERY", 5)
    units = [tree.baohe, *branches]  # 17 distinct paths: four queries of at most 5
    with CaptureQueriesContext(connection) as ctx:
        found = anchors_of(units)
    assert len(ctx.captured_queries) == 4
    assert found[tree.baohe.pk] == Anchors(tree.anhui.pk, tree.baohe.pk)
    assert {found[b.pk] for b in branches} == {Anchors(tree.anhui.pk, tree.shushan.pk)}
