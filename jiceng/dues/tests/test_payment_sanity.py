"""Issue 9 item 13: a dues year beyond next year is refused; an amount far above the member's due
for the year (more than DUES_LARGE_PAYMENT_FACTOR times, 3 by default) needs confirmation."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import People, Tree, client_for
from jiceng.core.actor import Actor
from jiceng.dues import services
from jiceng.dues.models import Payment
from jiceng.members.tests.factories import make_member

from .helpers import set_standards

pytestmark = pytest.mark.django_db


def _this_year() -> int:
    return timezone.localdate().year


@pytest.fixture
def member(tree: Tree):
    set_standards(tree.shushan, _this_year(), individual="190")
    set_standards(tree.shushan, _this_year() + 1, individual="190")
    return make_member(tree.branch)


def _record(member, *, year: int, amount: str, confirm: bool = False):
    return services.payment_record(
        actor=Actor.system(),
        member=member,
        data={
            "dues_year": year,
            "paid_on": timezone.localdate(),
            "amount": Decimal(amount),
            "method": "cash",
            "receipt_number": f"R-{uuid.uuid4().hex[:8]}",
        },
        confirm_large_amount=confirm,
    )


def test_a_year_beyond_next_year_is_refused_with_a_field_error(member):
    with pytest.raises(ValidationError) as caught:
        _record(member, year=_this_year() + 2, amount="190")
    assert "dues_year" in caught.value.message_dict
    assert Payment.objects.count() == 0
    # Next year (paying in advance) is fine.
    assert _record(member, year=_this_year() + 1, amount="190").created


def test_an_amount_far_above_the_due_needs_confirmation(member):
    with pytest.raises(ValidationError) as caught:
        _record(member, year=_this_year(), amount="99999")
    assert caught.value.error_dict["amount"][0].code == "large_amount"
    assert Payment.objects.count() == 0
    # Three times the due is still ordinary; confirmed, a large amount is recorded.
    assert _record(member, year=_this_year(), amount="570").created
    assert _record(member, year=_this_year(), amount="99999", confirm=True).created


def test_the_form_refuses_a_far_year(tree: Tree, people: People, member):
    client = client_for(people.branch_staff, language="en")
    url = reverse("dues:payment_create", kwargs={"member_pk": member.pk})
    response = client.post(
        url,
        {
            "dues_year": 2031 if _this_year() < 2030 else _this_year() + 2,
            "paid_on": timezone.localdate().isoformat(),
            "amount": "190",
            "method": "cash",
            "receipt_number": "SS-900",
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200
    assert 'data-field="dues_year"' in response.content.decode()
    assert Payment.objects.count() == 0


def test_the_form_asks_to_confirm_a_large_amount_then_records_it(
    tree: Tree, people: People, member
):
    client = client_for(people.branch_staff, language="en")
    url = reverse("dues:payment_create", kwargs={"member_pk": member.pk})
    data = {
        "dues_year": _this_year(),
        "paid_on": timezone.localdate().isoformat(),
        "amount": "99999",
        "method": "cash",
        "receipt_number": "SS-901",
        "idempotency_key": str(uuid.uuid4()),
    }
    page = client.get(url).content.decode()
    assert 'type="checkbox" name="confirm_large_amount"' not in page
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert Payment.objects.count() == 0
    assert 'data-testid="large-amount-warning"' in body
    assert "99,999" in body
    assert 'type="checkbox" name="confirm_large_amount"' in body
    done = client.post(url, {**data, "confirm_large_amount": "on"})
    assert done.status_code == 302
    assert Payment.objects.get().amount == Decimal("99999.00")


def test_a_past_year_payment_keeps_working(member, tree: Tree):
    set_standards(tree.shushan, 2024, individual="190")
    outcome = services.payment_record(
        actor=Actor.system(),
        member=member,
        data={
            "dues_year": 2024,
            "paid_on": datetime.date(2024, 5, 1),
            "amount": Decimal("190"),
            "method": "cash",
            "receipt_number": "OLD-1",
        },
    )
    assert outcome.created
