"""Recording a payment once, however often it is submitted; refusing a taken receipt number;
voiding with a reason."""

import datetime
import uuid
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from conftest import People, Tree
from jiceng.core.actor import Actor
from jiceng.core.errors import DomainError
from jiceng.core.models import AuditEntry
from jiceng.dues import services
from jiceng.dues.models import Payment
from jiceng.members.tests.factories import make_member

from .helpers import YEAR, pay, row, set_standards, void

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(tree: Tree):
    set_standards(tree.shushan, individual="200")
    return make_member(tree.branch)


def test_a_payment_is_recorded_with_its_anchors_and_audited(tree: Tree, people: People, member):
    outcome = pay(member, "200", receipt="SS-0001", actor=Actor(people.branch_staff))
    p = outcome.payment
    assert outcome.created
    assert (p.unit_id, p.grassroots_id, p.province_id) == (
        tree.branch.pk,
        tree.shushan.pk,
        tree.anhui.pk,
    )
    assert p.recorded_by == people.branch_staff
    assert p.amount == Decimal("200.00") and isinstance(p.amount, Decimal)
    entry = AuditEntry.objects.get(action="dues.payment.record")
    after = entry.after or {}
    assert entry.unit_id == tree.branch.pk and after["receipt_number"] == "SS-0001"
    assert after["amount"] == "200.00"


def test_the_same_form_submitted_twice_records_one_payment(member):
    key = uuid.uuid4()
    first = pay(member, "200", receipt="SS-0001", key=key)
    again = pay(member, "200", receipt="SS-0001", key=key)
    assert first.created and not again.created
    assert again.payment.pk == first.payment.pk
    assert Payment.objects.count() == 1
    assert row(member.unit)["received_cents"] == 200_00


def test_a_resubmitted_form_is_found_by_its_key_even_with_edits(member):
    key = uuid.uuid4()
    first = pay(member, "200", receipt="SS-0001", key=key)
    # The clerk pressed back, changed nothing that matters, and sent it again.
    again = pay(member, "150", receipt="SS-0002", key=key)
    assert not again.created and again.payment.pk == first.payment.pk
    assert Payment.objects.count() == 1


def test_a_key_from_another_members_form_is_refused(tree: Tree, member):
    key = uuid.uuid4()
    pay(member, "200", receipt="SS-0001", key=key)
    other = make_member(tree.shushan)
    with pytest.raises(ValidationError):
        pay(other, "200", receipt="SS-0002", key=key)


def test_two_clerks_entering_the_same_receipt_record_it_once(member):
    first = pay(member, "200", receipt="SS-0001", key=uuid.uuid4())
    second = pay(member, "200", receipt="SS-0001", key=uuid.uuid4())
    assert not second.created and second.payment.pk == first.payment.pk
    assert Payment.objects.count() == 1
    assert row(member.unit)["received_cents"] == 200_00


def test_a_different_payment_under_a_taken_receipt_number_is_refused(tree: Tree, member):
    pay(member, "200", receipt="SS-0001", paid_on=datetime.date(2025, 3, 1))
    other = make_member(tree.shushan, business_name="老王面馆")
    with pytest.raises(ValidationError) as info:
        pay(other, "200", receipt="SS-0001")
    message = info.value.message_dict["receipt_number"][0]
    assert "SS-0001" in message and member.business_name in message and "2025-03-01" in message
    # Same member, different amount: a different payment too.
    with pytest.raises(ValidationError):
        pay(member, "100", receipt="SS-0001")
    assert Payment.objects.count() == 1


def test_receipt_numbers_are_unique_per_association_not_nationwide(tree: Tree, member):
    set_standards(tree.baohe, individual="200")
    pay(member, "200", receipt="0001")
    assert pay(make_member(tree.baohe), "200", receipt="0001").created
    assert Payment.objects.count() == 2


def test_the_message_hides_a_payment_outside_the_clerks_area(tree: Tree, people: People, member):
    group_member = make_member(tree.shushan, business_name="不该泄露的商户")
    pay(group_member, "200", receipt="SS-0009")
    with pytest.raises(ValidationError) as info:
        pay(member, "200", receipt="SS-0009", actor=Actor(people.branch_staff))
    message = info.value.message_dict["receipt_number"][0]
    assert "SS-0009" in message and "不该泄露的商户" not in message


def test_the_race_is_decided_by_the_constraint(tree: Tree, member):
    """Both writers passed the check before either inserted: the unique constraint refuses the
    second insert, and the service answers as the check would have."""
    first = pay(member, "200", receipt="SS-0001", key=uuid.uuid4())
    real = services._existing
    calls = {"n": 0}

    def blind_first_time(*args, **kwargs):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(*args, **kwargs)

    with mock.patch.object(services, "_existing", side_effect=blind_first_time):
        again = pay(member, "200", receipt="SS-0001", key=uuid.uuid4())
    assert calls["n"] == 2
    assert not again.created and again.payment.pk == first.payment.pk

    calls["n"] = 0
    with (
        mock.patch.object(services, "_existing", side_effect=blind_first_time),
        pytest.raises(ValidationError) as info,
    ):
        pay(make_member(tree.shushan), "200", receipt="SS-0001")
    assert "SS-0001" in info.value.message_dict["receipt_number"][0]

    key = uuid.uuid4()
    pay(member, "10", receipt="SS-0002", key=key)
    calls["n"] = 0
    with mock.patch.object(services, "_existing", side_effect=blind_first_time):
        same_form = pay(member, "10", receipt="SS-0003", key=key)
    assert not same_form.created and same_form.payment.receipt_number == "SS-0002"
    assert Payment.objects.count() == 2
    assert row(member.unit)["received_cents"] == 210_00


def test_payment_rules(member):
    with pytest.raises(ValidationError) as info:
        pay(member, "0", receipt="X1")
    assert "amount" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        pay(member, "10", receipt="X2", paid_on=datetime.date.today() + datetime.timedelta(days=2))
    assert "paid_on" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        pay(member, "10", receipt="   ")
    assert "receipt_number" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        pay(member, "10", receipt="X3", method="cheque")
    assert "method" in info.value.message_dict
    with pytest.raises(ValidationError):
        pay(member, "10", year=1999, receipt="X4")
    assert Payment.objects.count() == 0


def test_voiding_keeps_the_receipt_and_is_audited(member):
    p = pay(member, "200", receipt="SS-0001").payment
    voided = void(p, reason="重复录入")
    assert voided.is_void and voided.void_reason == "重复录入"
    entry = AuditEntry.objects.get(action="dues.payment.void")
    assert (entry.before or {})["voided_at"] is None
    assert (entry.after or {})["void_reason"] == "重复录入"
    assert row(member.unit)["paid_cents"] == 0
    with pytest.raises(DomainError) as info:
        void(p)
    assert info.value.code == "payment_already_void"
    with pytest.raises(ValidationError):
        services.payment_void(actor=Actor.system(), payment=p, reason="  ")
    # The voided receipt number is not reused, even for the same payment.
    with pytest.raises(ValidationError) as err:
        pay(member, "200", receipt="SS-0001")
    assert "voided" in err.value.message_dict["receipt_number"][0]
    assert row(member.unit, YEAR)["received_cents"] == 0
