"""The subtree lookup: right answers, and an index (not a full scan) on both databases."""

from django.db import connection

from conftest import Tree
from jiceng.org.models import Unit


def test_subtree_matches_exactly_the_descendants(tree: Tree):
    got = set(Unit.objects.filter(path__subtree=tree.hefei.path).values_list("code", flat=True))
    assert got == {"340100", "340104", "340111", "340104001", "340104001001"}


def test_subtree_query_uses_an_index(tree: Tree):
    qs = Unit.objects.filter(path__subtree=tree.hefei.path).values("id")
    plan = qs.explain()
    if connection.vendor == "sqlite":
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
        assert "SCAN org_unit" not in plan.replace("USING", ""), plan
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            plan = qs.explain()
            cursor.execute("RESET enable_seqscan")
        assert "Index" in plan and "_like" in plan, plan


def test_prefix_matches_exactly_the_codes_that_start_with_it(tree: Tree):
    codes = set(Unit.objects.values_list("code", flat=True))
    for prefix in ["3401", "340104", "340104001", "9", "34010400100"]:
        got = set(Unit.objects.filter(code__prefix=prefix).values_list("code", flat=True))
        assert got == {c for c in codes if c.startswith(prefix)}, prefix
