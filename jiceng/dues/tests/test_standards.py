"""Dues standards: set per year and member type, by an association or a unit above it for its
subtree; the standard in force is the nearest one."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from conftest import Tree
from jiceng.core.actor import Actor
from jiceng.core.errors import ConflictError, DomainError
from jiceng.core.models import AuditEntry
from jiceng.dues import selectors, services
from jiceng.dues.models import DuesStandard
from jiceng.members.tests.factories import make_member

from .helpers import YEAR, clear_standard, pay, row, set_standards

pytestmark = pytest.mark.django_db


def amounts(unit, year=YEAR):
    return {
        s.member_type: (s.amount, s.own) for s in selectors.standards_in_force(unit=unit, year=year)
    }


def test_the_nearest_standard_is_in_force(tree: Tree):
    set_standards(tree.root, individual="100", enterprise="500")
    set_standards(tree.anhui, individual="150")
    set_standards(tree.shushan, enterprise="1200")
    assert amounts(tree.group) == {
        "individual": (Decimal("150.00"), False),
        "enterprise": (Decimal("1200.00"), False),
    }
    assert amounts(tree.shushan) == {
        "individual": (Decimal("150.00"), False),
        "enterprise": (Decimal("1200.00"), True),
    }
    assert amounts(tree.xuanwu)["individual"] == (Decimal("100.00"), False)
    assert amounts(tree.shushan, 2024) == {"individual": (None, False), "enterprise": (None, False)}


def test_a_default_reaches_the_associations_that_do_not_override_it(tree: Tree):
    set_standards(tree.shushan, individual="200")
    shushan_member = make_member(tree.group)
    baohe_member = make_member(tree.baohe)
    pay(baohe_member, "80")
    assert row(tree.baohe) == {
        "members_due": 0,
        "members_paid": 0,
        "due_cents": 0,
        "paid_cents": 0,
        "received_cents": 80_00,
    }
    set_standards(tree.hefei, individual="80")
    assert row(tree.baohe)["members_due"] == 1 and row(tree.baohe)["members_paid"] == 1
    assert row(shushan_member.unit)["due_cents"] == 200_00  # its own standard wins
    set_standards(tree.hefei, individual="100")
    assert row(tree.baohe)["paid_cents"] == 80_00 and row(tree.baohe)["members_paid"] == 0
    clear_standard(tree.shushan, "individual")
    assert row(tree.group)["due_cents"] == 100_00  # now the city's


def test_only_an_association_or_above_sets_standards(tree: Tree):
    with pytest.raises(DomainError) as info:
        set_standards(tree.branch, individual="100")
    assert info.value.code == "standard_level"
    assert not DuesStandard.objects.exists()


def test_standards_are_audited_and_versioned(tree: Tree):
    set_standards(tree.shushan, individual="200", enterprise="1000")
    standard = DuesStandard.objects.get(unit=tree.shushan, member_type="individual")
    set_standards(tree.shushan, individual="220")
    with pytest.raises(ConflictError):
        services.standards_update(
            actor=Actor.system(),
            unit=tree.shushan,
            year=YEAR,
            amounts={"individual": Decimal("230")},
            expected_lock_versions={"individual": standard.lock_version},  # the version before 220
        )
    with pytest.raises(ConflictError):  # "none set" when one is
        services.standards_update(
            actor=Actor.system(),
            unit=tree.shushan,
            year=YEAR,
            amounts={"enterprise": Decimal("900")},
            expected_lock_versions={"enterprise": 0},
        )
    clear_standard(tree.shushan, "enterprise")
    actions = list(
        AuditEntry.objects.filter(action__startswith="dues.standard")
        .values_list("action", flat=True)
        .order_by("id")
    )
    assert actions == [
        "dues.standard.set",
        "dues.standard.set",
        "dues.standard.set",
        "dues.standard.clear",
    ]
    entry = AuditEntry.objects.filter(action="dues.standard.set").order_by("id").last()
    assert entry is not None and entry.before and entry.after
    assert (entry.before["amount"], entry.after["amount"]) == ("200.00", "220.00")


def test_amounts_are_money(tree: Tree):
    with pytest.raises(ValidationError):
        set_standards(tree.shushan, individual="-1")
    with pytest.raises(ValidationError):
        set_standards(tree.shushan, individual="10.001")
    set_standards(tree.shushan, individual="99.9")
    assert DuesStandard.objects.get().amount == Decimal("99.90")
