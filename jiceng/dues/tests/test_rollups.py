"""The roll-up: what "due" and "paid" mean, and the incremental rows equal a full rebuild."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from conftest import Tree
from jiceng.core.actor import Actor
from jiceng.dues import selectors, services
from jiceng.members import services as member_services
from jiceng.members.tests.factories import make_member

from .helpers import YEAR, pay, rollup_rows, row, set_standards, void

pytestmark = pytest.mark.django_db


def rebuilt() -> dict:
    before = rollup_rows()
    services.rollup_rebuild()
    after = rollup_rows()
    return {"incremental": before, "rebuilt": after}


def test_due_members_are_active_and_joined_by_the_year_end(tree: Tree):
    set_standards(tree.shushan, individual="200", enterprise="1000")
    make_member(tree.shushan, join_date=datetime.date(2025, 12, 31))
    make_member(tree.shushan, join_date=None)
    make_member(tree.shushan, join_date=datetime.date(2026, 1, 1))  # joins the next year
    make_member(tree.shushan, status="lapsed")
    make_member(tree.shushan, status="left")
    make_member(tree.shushan, member_type="enterprise", credit_code="")
    assert row(tree.shushan) == {
        "members_due": 3,
        "members_paid": 0,
        "due_cents": 200_00 * 2 + 1000_00,
        "paid_cents": 0,
        "received_cents": 0,
    }


def test_no_standard_or_a_zero_standard_means_nobody_is_due(tree: Tree):
    make_member(tree.shushan)
    assert row(tree.shushan) is None
    set_standards(tree.shushan, individual="0")
    assert row(tree.shushan) is None
    set_standards(tree.shushan, individual="150")
    assert row(tree.shushan)["members_due"] == 1


def test_paid_is_capped_at_each_members_due_and_received_is_not(tree: Tree):
    set_standards(tree.shushan, individual="200")
    a, b, c = (make_member(tree.shushan) for _ in range(3))
    pay(a, "200")
    pay(b, "150")
    pay(c, "500")  # pays ahead: counts as 200 towards the rate
    assert row(tree.shushan) == {
        "members_due": 3,
        "members_paid": 2,
        "due_cents": 600_00,
        "paid_cents": 200_00 + 150_00 + 200_00,
        "received_cents": 850_00,
    }
    rate = selectors.collection_rate(unit=tree.shushan, year=YEAR)
    assert rate.rate == Decimal("0.9167") and rate.rate <= 1
    assert rate.members_owing == 1
    assert rate.received == Decimal("850.00")


def test_payment_of_a_member_not_due_is_received_but_not_collected(tree: Tree):
    set_standards(tree.shushan, individual="200")
    lapsed = make_member(tree.shushan, status="lapsed")
    pay(lapsed, "200")
    assert row(tree.shushan) == {
        "members_due": 0,
        "members_paid": 0,
        "due_cents": 0,
        "paid_cents": 0,
        "received_cents": 200_00,
    }
    assert selectors.collection_rate(unit=tree.shushan, year=YEAR).rate is None


def test_part_payments_add_up_and_settle_the_member(tree: Tree):
    set_standards(tree.shushan, individual="200")
    m = make_member(tree.shushan)
    pay(m, "120.10")
    pay(m, "79.90")
    assert row(tree.shushan)["members_paid"] == 1
    assert row(tree.shushan)["paid_cents"] == 200_00


def test_voiding_takes_the_payment_out_and_removes_an_empty_row(tree: Tree):
    set_standards(tree.shushan, individual="200")
    m = make_member(tree.shushan)
    lapsed = make_member(tree.shushan, status="lapsed")
    p = pay(m, "200").payment
    void(p)
    assert row(tree.shushan)["paid_cents"] == 0
    assert row(tree.shushan)["members_paid"] == 0
    # In the group: a lapsed member's payment is the only fact; voiding it leaves no row.
    set_standards(tree.shushan, individual="200", year=2024)
    q = pay(lapsed, "50", year=2023).payment
    assert row(tree.shushan, 2023) is not None
    void(q)
    assert row(tree.shushan, 2023) is None
    assert rollup_rows() == rebuilt()["rebuilt"]


def test_member_changes_recompute_their_units_rows(tree: Tree):
    set_standards(tree.shushan, individual="200", enterprise="1000")
    m = make_member(tree.branch)
    pay(m, "200")
    assert row(tree.branch)["members_paid"] == 1
    member_services.member_update(
        actor=Actor.system(),
        member=m,
        data={"status": "lapsed"},
        expected_lock_version=m.lock_version,
    )
    assert row(tree.branch) == {
        "members_due": 0,
        "members_paid": 0,
        "due_cents": 0,
        "paid_cents": 0,
        "received_cents": 200_00,
    }
    m.refresh_from_db()
    member_services.member_update(
        actor=Actor.system(),
        member=m,
        data={"status": "active", "member_type": "enterprise", "credit_code": ""},
        expected_lock_version=m.lock_version,
    )
    assert row(tree.branch)["due_cents"] == 1000_00
    assert row(tree.branch)["paid_cents"] == 200_00
    m.refresh_from_db()
    member_services.member_move(
        actor=Actor.system(), member=m, new_unit=tree.group, expected_lock_version=m.lock_version
    )
    assert row(tree.branch) is None
    assert row(tree.group)["received_cents"] == 200_00


def test_subtree_figures_sum_the_units_rows_at_every_level(tree: Tree):
    set_standards(tree.anhui, individual="100")  # a provincial default
    set_standards(tree.shushan, individual="200")  # overridden by 蜀山区
    set_standards(tree.xuanwu, individual="300")
    pay(make_member(tree.shushan), "200")
    pay(make_member(tree.branch), "50")
    make_member(tree.group)
    pay(make_member(tree.baohe), "100")  # 包河区 follows the provincial default
    make_member(tree.xuanwu)

    def rate(unit):
        return selectors.collection_rate(unit=unit, year=YEAR)

    assert rate(tree.group).due == Decimal("200.00")
    assert (rate(tree.branch).due, rate(tree.branch).paid) == (Decimal("400.00"), Decimal("50.00"))
    assert (rate(tree.shushan).due, rate(tree.shushan).paid) == (Decimal(600), Decimal(250))
    assert (rate(tree.hefei).due, rate(tree.hefei).paid) == (Decimal(700), Decimal(350))
    assert rate(tree.anhui) == rate(tree.hefei)
    national = rate(tree.root)
    assert (national.members_due, national.due, national.paid) == (5, Decimal(1000), Decimal(350))
    assert national.members_paid == 2

    lines = selectors.collection_rates_by_child(unit=tree.root, year=YEAR)
    assert [(line.unit.code, line.figures.due) for line in lines] == [
        ("320000", Decimal(300)),
        ("340000", Decimal(700)),
    ]
    lines = selectors.collection_rates_by_child(unit=tree.shushan, year=YEAR)
    assert [(line.own, line.unit.code, line.figures.due) for line in lines] == [
        (True, "340104", Decimal(200)),
        (False, "340104001", Decimal(400)),
    ]
    summary = selectors.unit_dues_summary(unit=tree.shushan, year=YEAR)
    assert summary.total == rate(tree.shushan)


def test_rebuild_command_gives_the_same_rows(tree: Tree, capsys):
    set_standards(tree.shushan, individual="200", enterprise="800")
    set_standards(tree.shushan, year=2024, individual="180")
    for i in range(5):
        m = make_member(tree.branch if i % 2 else tree.shushan)
        pay(m, "100", year=2024)
        pay(m, str(50 * i + 1))
    incremental = rollup_rows()
    call_command("rebuild_rollups", "--measure", "dues")
    assert rollup_rows() == incremental
    call_command("rebuild_rollups", "--measure", "dues", "--year", "2024")
    assert rollup_rows() == incremental
    assert "rows" in capsys.readouterr().out


def test_refreshing_many_units_goes_in_slices(tree: Tree, monkeypatch):
    set_standards(tree.shushan, individual="200")
    members = [make_member(u) for u in (tree.shushan, tree.branch, tree.group)]
    pay(members[1], "200")
    expected = rollup_rows()
    from jiceng.dues.models import DuesRollup

    DuesRollup.objects.all().delete()
    monkeypatch.setattr(services, "REFRESH_SLICE", 1)
    services.rollup_refresh_units(unit_ids=[tree.shushan.pk, tree.branch.pk, tree.group.pk, 10**9])
    assert rollup_rows() == expected


def test_the_dues_measure_checks_and_rebuilds_through_the_engine(tree: Tree):
    """The engine's `differences` and `rebuild(units=…)` run the dues SQL: some units alone, or
    the whole tree."""
    from jiceng.core import rollups as engine
    from jiceng.dues.measures import DUES
    from jiceng.dues.models import DuesRollup
    from jiceng.org.models import Unit

    set_standards(tree.shushan, individual="200")
    set_standards(tree.baohe, individual="300")
    pay(make_member(tree.shushan), "200")
    make_member(tree.baohe)
    assert engine.differences(DUES) == []
    DuesRollup.objects.update(members_paid=7)
    assert len(engine.differences(DUES)) == 2
    assert DUES.rebuild(units=Unit.objects.filter(pk=tree.shushan.pk)) == 1
    assert row(tree.shushan)["members_paid"] == 1
    assert row(tree.baohe)["members_paid"] == 7  # not asked for: untouched
    assert len(engine.differences(DUES)) == 1
    DUES.rebuild()
    assert engine.differences(DUES) == []
