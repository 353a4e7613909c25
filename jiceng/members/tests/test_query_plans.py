"""A unit's member list is an index range at every level, on both databases: no full scan of
the members table, whatever its size."""

import pytest
from django.db import connection

from conftest import Tree
from jiceng.members.selectors import MemberFilters, member_list

from .factories import make_member


def _plan(qs, *, without_plain_index_scans: bool = False) -> str:
    """The plan with sequential scans off. A test table's statistics are whatever the other
    tests left (autovacuum analyses it at unpredictable times), so with
    ``without_plain_index_scans`` the walk down the primary key is ruled out as well: what
    is left proves the predicate can be answered from its own indexes (right operator
    class, partial-index condition matched), which is what the code controls."""
    if connection.vendor == "sqlite":
        return qs.explain()
    settings = ["enable_seqscan"] + (["enable_indexscan"] if without_plain_index_scans else [])
    with connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(f"SET {setting} = off")
        try:
            return qs.explain()
        finally:
            for setting in settings:
                cursor.execute(f"RESET {setting}")


@pytest.mark.parametrize("where", ["anhui", "hefei", "shushan", "branch"])
def test_member_list_uses_an_index(tree: Tree, where: str):
    make_member(tree.branch)
    qs = member_list(unit=getattr(tree, where), filters=MemberFilters()).values("id")[:50]
    plan = _plan(qs)
    if connection.vendor == "sqlite":
        scans = [line for line in plan.splitlines() if "SCAN members_member" in line]
        assert not [s for s in scans if "USING" not in s], plan
    else:
        assert "Seq Scan on members_member" not in plan, plan
        assert "members_member" in plan and "Index" in plan, plan


@pytest.mark.parametrize(
    ("query", "indexes"),
    [
        ("13812345678", {"member_phone", "member_credit_code", "member_registration_number"}),
        ("92340104MA", {"member_credit_code"}),
        ("340104600123", {"member_credit_code", "member_registration_number"}),
        ("110105194912310021", {"member_id_number_index"}),
    ],
)
def test_searches_by_phone_code_and_id_number_use_their_index(tree: Tree, query, indexes):
    make_member(tree.shushan)
    make_member(tree.shushan, credit_code="", registration_number="340104600123456")
    filters = MemberFilters(q=query, identifiers=True)
    qs = member_list(unit=tree.root, filters=filters).values("id")[:15]
    plan = _plan(qs, without_plain_index_scans=True)
    for index in indexes:
        assert index in plan, plan
    if connection.vendor == "sqlite":
        scans = [line for line in plan.splitlines() if "SCAN members_member" in line]
        assert not [s for s in scans if "USING" not in s], plan
    else:
        assert "Seq Scan on members_member" not in plan, plan
