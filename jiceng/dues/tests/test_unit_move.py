"""Moving a unit: its members, roll-up rows and receipts follow it into the new province, and
the national figures per province follow."""

from decimal import Decimal

import pytest

from conftest import Tree
from jiceng.core.actor import Actor
from jiceng.dues import selectors
from jiceng.dues.models import DuesRollup, Payment
from jiceng.members.models import Member
from jiceng.members.tests.factories import make_member
from jiceng.org import services as org_services
from jiceng.org.models import Unit

from .helpers import YEAR, pay, rollup_rows, set_standards

pytestmark = pytest.mark.django_db


def by_province(tree: Tree) -> dict[str, tuple[int, Decimal, Decimal]]:
    return {
        line.unit.code: (line.figures.members_due, line.figures.due, line.figures.paid)
        for line in selectors.collection_rates_by_child(unit=tree.root, year=YEAR)
    }


def test_moving_an_association_to_another_province_moves_its_figures(tree: Tree):
    set_standards(tree.shushan, individual="200")
    set_standards(tree.xuanwu, individual="300")
    a = make_member(tree.shushan)
    b = make_member(tree.group)
    pay(a, "200")
    pay(b, "150")
    pay(make_member(tree.xuanwu), "300")
    assert by_province(tree) == {
        "320000": (1, Decimal(300), Decimal(300)),
        "340000": (2, Decimal(400), Decimal(350)),
    }

    org_services.unit_move(actor=Actor.system(), unit=tree.shushan, new_parent=tree.nanjing)

    moved_units = list(
        Unit.objects.subtree(Unit.objects.get(pk=tree.shushan.pk)).values_list("pk", flat=True)
    )
    assert set(
        Member.objects.filter(unit_id__in=moved_units).values_list("province_id", flat=True)
    ) == {tree.jiangsu.pk}
    assert set(
        DuesRollup.objects.filter(unit_id__in=moved_units).values_list("province_id", flat=True)
    ) == {tree.jiangsu.pk}
    assert set(
        Payment.objects.filter(grassroots=tree.shushan).values_list("province_id", flat=True)
    ) == {tree.jiangsu.pk}
    assert by_province(tree) == {
        "320000": (3, Decimal(700), Decimal(650)),
        "340000": (0, Decimal(0), Decimal(0)),
    }
    jiangsu = selectors.collection_rate(unit=tree.jiangsu, year=YEAR)
    assert jiangsu.members_paid == 2 and jiangsu.due == Decimal(700)
    assert (
        selectors.collection_rate(unit=Unit.objects.get(pk=tree.nanjing.pk), year=YEAR) == jiangsu
    )
    # The rows kept on the way equal a full rebuild.
    incremental = rollup_rows()
    from jiceng.dues.services import rollup_rebuild

    rollup_rebuild()
    assert rollup_rows() == incremental


def test_an_association_that_inherits_its_standard_takes_the_new_provinces(tree: Tree):
    set_standards(tree.anhui, individual="100")
    set_standards(tree.jiangsu, individual="250")
    make_member(tree.shushan)
    assert selectors.collection_rate(unit=tree.shushan, year=YEAR).due == Decimal(100)
    org_services.unit_move(actor=Actor.system(), unit=tree.shushan, new_parent=tree.nanjing)
    assert selectors.collection_rate(unit=tree.shushan, year=YEAR).due == Decimal(250)


def test_a_branch_moved_to_another_association_keeps_its_receipts(tree: Tree):
    set_standards(tree.shushan, individual="200")
    set_standards(tree.baohe, individual="120")
    m = make_member(tree.branch)
    p = pay(m, "200", receipt="SS-1").payment
    org_services.unit_move(actor=Actor.system(), unit=tree.branch, new_parent=tree.baohe)
    m.refresh_from_db()
    p.refresh_from_db()
    assert m.grassroots_id == tree.baohe.pk
    assert p.grassroots_id == tree.shushan.pk  # the association that issued the receipt
    branch = DuesRollup.objects.get(unit=tree.branch, year=YEAR)
    assert branch.grassroots_id == tree.baohe.pk
    assert (branch.due_cents, branch.paid_cents, branch.received_cents) == (120_00, 120_00, 200_00)
    incremental = rollup_rows()
    from jiceng.dues.services import rollup_rebuild

    rollup_rebuild()
    assert rollup_rows() == incremental
