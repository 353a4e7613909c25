"""Property-based: any sequence of moves keeps the tree whole and every path right."""

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from conftest import make_unit
from jiceng.core.actor import Actor
from jiceng.org import services
from jiceng.org.models import Level, Unit


def _build() -> list[Unit]:
    root = make_unit(None, Level.NATIONAL, "100000", "全国")
    units = [root]
    for p in range(3):
        prov = make_unit(root, Level.PROVINCE, f"{31 + p}0000", f"省{p}")
        units.append(prov)
        for g in range(2):
            gr = make_unit(prov, Level.GRASSROOTS, f"{31 + p}00{g + 1}0", f"基层{p}{g}")
            units.append(gr)
            units += [
                make_unit(gr, Level.BRANCH, f"{gr.code}00{b + 1}", f"分会{p}{g}{b}")
                for b in range(2)
            ]
    return units


class TreeMoveProperties(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=8))
    def test_moves_keep_the_tree_consistent(self, moves: list[tuple[int, int]]) -> None:
        units = _build()
        codes = [u.code for u in units]
        for a, b in moves:
            unit = Unit.objects.get(code=codes[a % len(codes)])
            target = Unit.objects.get(code=codes[b % len(codes)])
            inside = target.path.startswith(unit.path)
            try:
                services.unit_move(actor=Actor.system(), unit=unit, new_parent=target)
            except ValidationError:
                continue
            assert not inside, "a move into the unit's own subtree must be refused"
        # treebeard's own consistency check: paths, depths and child counts.
        assert Unit.objects.find_problems() == ([], [], [], [], [])
        for unit in Unit.objects.select_related("parent"):
            if unit.parent is None:
                assert unit.depth == 1
            else:
                assert unit.path[: -Unit.steplen] == unit.parent.path
                assert unit.depth == unit.parent.depth + 1
        for unit in Unit.objects.all():
            assert unit.numchild == Unit.objects.filter(parent=unit).count()
