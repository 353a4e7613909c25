"""Parallel writers on whichever database the suite runs: one payment per form or receipt
however many clerks press the button at once, and a roll-up that still equals a rebuild."""

import uuid

import pytest
from django.db import connection

from conftest import Tree
from jiceng.core.actor import Actor
from jiceng.core.tests.concurrency import run_in_threads
from jiceng.dues import services
from jiceng.dues.models import Payment
from jiceng.members import services as member_services
from jiceng.members.models import Member
from jiceng.members.tests.factories import make_member

from .helpers import pay, rollup_rows, set_standards

WRITERS = 6


def _assert_rollup_consistent() -> None:
    incremental = rollup_rows()
    services.rollup_rebuild()
    assert rollup_rows() == incremental, connection.vendor


@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_by_many_at_once_records_one_payment(tree: Tree):
    set_standards(tree.shushan, individual="200")
    member = make_member(tree.branch)
    key = uuid.uuid4()
    created: list[bool] = []

    def work(i: int) -> None:
        created.append(pay(member, "200", receipt="SS-1", key=key).created)

    assert run_in_threads(work, WRITERS) == []
    assert Payment.objects.count() == 1
    assert sorted(created) == [False] * (WRITERS - 1) + [True]
    _assert_rollup_consistent()


@pytest.mark.django_db(transaction=True)
def test_clerks_entering_one_receipt_at_once_record_it_once(tree: Tree):
    set_standards(tree.shushan, individual="200")
    member = make_member(tree.branch)
    others = [make_member(tree.shushan) for _ in range(WRITERS)]
    outcomes: list[str] = []

    def work(i: int) -> None:
        from django.core.exceptions import ValidationError

        try:
            # Half enter the same slip for the same member; half mistype another member.
            target = member if i % 2 else others[i]
            outcomes.append("created" if pay(target, "200", receipt="SS-7").created else "same")
        except ValidationError:
            outcomes.append("refused")

    assert run_in_threads(work, WRITERS) == []
    assert Payment.objects.filter(receipt_number="SS-7").count() == 1
    assert outcomes.count("created") == 1
    _assert_rollup_consistent()


@pytest.mark.django_db(transaction=True)
def test_payments_member_changes_and_standards_at_once_keep_the_rollup_right(tree: Tree):
    set_standards(tree.shushan, individual="200", enterprise="900")
    members = [make_member(tree.branch if i % 2 else tree.group) for i in range(WRITERS)]

    def work(i: int) -> None:
        m = members[i]
        pay(m, "120", receipt=f"P-{i}-1")
        if i == 0:
            set_standards(tree.shushan, individual="150")
        elif i == 1:
            fresh = Member.objects.get(pk=members[3].pk)
            member_services.member_update(
                actor=Actor.system(),
                member=fresh,
                data={"status": "lapsed"},
                expected_lock_version=fresh.lock_version,
            )
        pay(m, "80", receipt=f"P-{i}-2")

    assert run_in_threads(work, WRITERS) == []
    assert Payment.objects.count() == 2 * WRITERS
    _assert_rollup_consistent()
