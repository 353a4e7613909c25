"""Property-based: any sequence of moves keeps the tree whole and every path right."""

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from jiceng.core.actor import Actor
from jiceng.org import services
from jiceng.org.models import Level, Unit


def _build() -> list[Unit]:
    root = Unit.objects.add_root({"code": "100000", "name": "全国", "level": Level.NATIONAL})
    units = [root]
    for p in range(3):
        prov = services.unit_create(
            actor=Actor.system(),
            parent=root,
            data={"code": f"{31 + p}0000", "name": f"省{p}", "level": Level.PROVINCE},
        )
        units.append(prov)
        for g in range(2):
            gr = services.unit_create(
                actor=Actor.system(),
                parent=prov,
                data={
                    "code": f"{31 + p}00{g + 1}0",
                    "name": f"基层{p}{g}",
                    "level": Level.GRASSROOTS,
                },
            )
            units.append(gr)
            for b in range(2):
                units.append(
                    services.unit_create(
                        actor=Actor.system(),
                        parent=gr,
                        data={
                            "code": f"{gr.code}00{b + 1}",
                            "name": f"分会{p}{g}{b}",
                            "level": Level.BRANCH,
                        },
                    )
                )
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
