"""Random sequences of member, standard, payment and tree changes: the roll-up rows kept
incrementally equal a full rebuild, and both equal the definitions computed in plain Python."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Tree
from jiceng.core.actor import Actor
from jiceng.dues import services
from jiceng.dues.models import DuesStandard, Payment, to_cents
from jiceng.members import services as member_services
from jiceng.members.models import Member
from jiceng.members.tests.factories import make_member
from jiceng.org import services as org_services
from jiceng.org.models import Unit

from .helpers import pay, rollup_rows, set_standards

pytestmark = pytest.mark.django_db

YEARS = [2024, 2025]
MEMBER_UNITS = ["shushan", "branch", "group", "baohe", "xuanwu"]
STANDARD_UNITS = ["root", "anhui", "jiangsu", "hefei", "shushan", "baohe", "xuanwu"]
AMOUNTS = ["0.01", "50", "99.99", "150.5", "200", "320"]
JOIN_DATES = [
    None,
    datetime.date(2023, 6, 1),
    datetime.date(2024, 12, 31),
    datetime.date(2025, 1, 1),
]

new_member = st.tuples(
    st.just("member"),
    st.sampled_from(MEMBER_UNITS),
    st.sampled_from(["individual", "enterprise"]),
    st.sampled_from(["active", "active", "lapsed"]),
    st.sampled_from(JOIN_DATES),
)
payment = st.tuples(
    st.just("pay"), st.integers(0, 50), st.sampled_from([*YEARS, 2023]), st.sampled_from(AMOUNTS)
)
standard = st.tuples(
    st.just("standard"),
    st.sampled_from(STANDARD_UNITS),
    st.sampled_from(YEARS),
    st.sampled_from(["individual", "enterprise"]),
    st.sampled_from([None, "0", "100", "150.50", "200"]),
)
#: A starting state: some members and standards, then some payments.
setup = st.tuples(
    st.lists(new_member, min_size=2, max_size=10),
    st.lists(standard, min_size=1, max_size=6),
    st.lists(payment, min_size=0, max_size=10),
).map(lambda parts: [op for part in parts for op in part])
ops = st.lists(
    st.one_of(
        new_member,
        payment,
        payment,
        standard,
        st.tuples(
            st.just("update"),
            st.integers(0, 50),
            st.sampled_from(["status", "join_date", "member_type"]),
            st.integers(0, 3),
        ),
        st.tuples(st.just("move_member"), st.integers(0, 50), st.sampled_from(MEMBER_UNITS)),
        st.tuples(st.just("void"), st.integers(0, 50)),
        st.tuples(
            st.just("move_unit"),
            st.sampled_from(
                [
                    ("branch", "baohe"),
                    ("branch", "shushan"),
                    ("shushan", "nanjing"),
                    ("shushan", "hefei"),
                    ("group", "shushan"),
                    ("group", "branch"),
                ]
            ),
        ),
    ),
    min_size=3,
    max_size=30,
)


def _unit(tree: Tree, name: str) -> Unit:
    return Unit.objects.get(pk=getattr(tree, name).pk)


def _apply(tree: Tree, op: tuple) -> None:
    kind = op[0]
    members = list(Member.objects.order_by("pk"))
    actor = Actor.system()
    if kind == "member":
        _k, unit, member_type, status, join = op
        make_member(
            _unit(tree, unit),
            member_type=member_type,
            status=status,
            join_date=join,
            credit_code="",
        )
    elif kind == "update" and members:
        _k, i, field, choice = op
        m = members[i % len(members)]
        choices: dict[str, list[Any]] = {
            "status": ["active", "lapsed", "left", "active"],
            "join_date": JOIN_DATES,
            "member_type": ["individual", "enterprise", "individual", "enterprise"],
        }
        value = choices[field][choice]
        member_services.member_update(
            actor=actor, member=m, data={field: value}, expected_lock_version=m.lock_version
        )
    elif kind == "move_member" and members:
        _k, i, unit = op
        m = members[i % len(members)]
        member_services.member_move(
            actor=actor, member=m, new_unit=_unit(tree, unit), expected_lock_version=m.lock_version
        )
    elif kind == "standard":
        _k, unit, year, member_type, amount = op
        u = _unit(tree, unit)
        if amount is None:
            current = DuesStandard.objects.filter(unit=u, year=year, member_type=member_type)
            if current.exists():
                services.standards_update(
                    actor=actor,
                    unit=u,
                    year=year,
                    amounts={member_type: None},
                    expected_lock_versions={member_type: current.get().lock_version},
                )
        else:
            set_standards(u, year, **{member_type: amount})
    elif kind == "pay" and members:
        _k, i, year, amount = op
        pay(members[i % len(members)], amount, year)
    elif kind == "void":
        valid = list(Payment.objects.filter(voided_at__isnull=True).order_by("pk"))
        if valid:
            services.payment_void(actor=actor, payment=valid[op[1] % len(valid)], reason="测试")
    elif kind == "move_unit":
        unit, parent = op[1]
        u, p = _unit(tree, unit), _unit(tree, parent)
        if not p.path.startswith(u.path) and u.parent_id != p.pk:
            org_services.unit_move(actor=actor, unit=u, new_parent=p)


def expected_rows() -> dict:
    """The roll-up from its definition, in plain Python, walking the tree by parent links."""
    units = {u.pk: u for u in Unit.objects.all()}

    def chain(unit_id: int) -> list[Unit]:
        out = []
        u: Unit | None = units[unit_id]
        while u is not None:
            out.append(u)
            u = units.get(u.parent_id) if u.parent_id else None
        return out  # self first, root last

    standards = {(s.unit_id, s.year, s.member_type): s.amount for s in DuesStandard.objects.all()}
    paid: dict[tuple[int, int], int] = {}
    for p in Payment.objects.filter(voided_at__isnull=True):
        paid[(p.member_id, p.dues_year)] = paid.get((p.member_id, p.dues_year), 0) + to_cents(
            p.amount
        )
    years = {s[1] for s in standards} | {y for _m, y in paid}
    rows: dict = {}
    for m in Member.objects.all():
        ancestors = chain(m.unit_id)
        grassroots = next(u for u in ancestors if u.level == "grassroots")
        province = ancestors[-2]
        assert (m.grassroots_id, m.province_id) == (grassroots.pk, province.pk)
        for year in years:
            amount = next(
                (
                    standards[(u.pk, year, m.member_type)]
                    for u in chain(grassroots.pk)
                    if (u.pk, year, m.member_type) in standards
                ),
                Decimal(0),
            )
            active = m.status == "active" and (m.join_date is None or m.join_date.year <= year)
            due = to_cents(amount) if active else 0
            got = paid.get((m.pk, year), 0)
            if not due and not got:
                continue
            r = rows.setdefault((m.unit_id, year), [province.pk, grassroots.pk, 0, 0, 0, 0, 0])
            r[2] += due > 0
            r[3] += due > 0 and got >= due
            r[4] += due
            r[5] += min(got, due)
            r[6] += got
    return {k: tuple(v) for k, v in rows.items()}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(start=setup, operations=ops)
def test_incremental_rows_equal_the_rebuild_and_the_definition(
    tree: Tree, start: list, operations: list
):
    with transaction.atomic():
        for op in [*start, *operations]:
            _apply(tree, op)
        incremental = rollup_rows()
        assert incremental == expected_rows()
        services.rollup_rebuild()
        assert rollup_rows() == incremental
        transaction.set_rollback(True)
