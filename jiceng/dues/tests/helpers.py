"""Dues for tests: standards and payments through the services, and the roll-up as plain rows."""

import datetime
import itertools
import uuid
from decimal import Decimal
from typing import Any

from jiceng.core.actor import Actor
from jiceng.dues import services
from jiceng.dues.models import DuesRollup, DuesStandard, Payment
from jiceng.members.models import Member
from jiceng.org.models import Unit

_receipts = itertools.count(1)
YEAR = 2025


def set_standards(
    unit: Unit,
    year: int = YEAR,
    *,
    individual: Decimal | str | None = None,
    enterprise: Decimal | str | None = None,
    actor: Actor | None = None,
) -> list[DuesStandard]:
    """Set the unit's own standards (None: leave that type alone)."""
    amounts: dict[str, Decimal | None] = {}
    if individual is not None:
        amounts["individual"] = Decimal(individual)
    if enterprise is not None:
        amounts["enterprise"] = Decimal(enterprise)
    current = {
        s.member_type: s.lock_version for s in DuesStandard.objects.filter(unit=unit, year=year)
    }
    return services.standards_update(
        actor=actor or Actor.system(),
        unit=unit,
        year=year,
        amounts=amounts,
        expected_lock_versions={t: current.get(t, 0) for t in amounts},
    )


def clear_standard(unit: Unit, member_type: str, year: int = YEAR) -> None:
    current = DuesStandard.objects.get(unit=unit, year=year, member_type=member_type)
    services.standards_update(
        actor=Actor.system(),
        unit=unit,
        year=year,
        amounts={member_type: None},
        expected_lock_versions={member_type: current.lock_version},
    )


def pay(
    member: Member,
    amount: Decimal | str,
    year: int = YEAR,
    *,
    receipt: str | None = None,
    paid_on: datetime.date | None = None,
    method: str = "cash",
    key: uuid.UUID | None = None,
    actor: Actor | None = None,
    confirm_large_amount: bool = True,
) -> services.PaymentOutcome:
    """A payment that was made (large amounts confirmed unless the test says otherwise; the
    check itself is tested in test_payment_sanity)."""
    return services.payment_record(
        actor=actor or Actor.system(),
        member=member,
        data={
            "dues_year": year,
            "paid_on": paid_on or datetime.date(year, 3, 15),
            "amount": Decimal(amount),
            "method": method,
            "receipt_number": receipt or f"R{next(_receipts):06d}",
        },
        idempotency_key=key,
        confirm_large_amount=confirm_large_amount,
    )


def void(payment: Payment, reason: str = "录入错误") -> Payment:
    return services.payment_void(actor=Actor.system(), payment=payment, reason=reason)


def rollup_rows() -> dict[tuple[int, int], tuple[Any, ...]]:
    """Every roll-up row as (unit, year) → (province, grassroots, figures…)."""
    return {
        (r.unit_id, r.year): (
            r.province_id,
            r.grassroots_id,
            *(getattr(r, f) for f in DuesRollup.FIGURES),
        )
        for r in DuesRollup.objects.all()
    }


def row(unit: Unit, year: int = YEAR) -> Any:
    """The unit's figures for the year as a dict, or None when it has no row."""
    r = DuesRollup.objects.filter(unit=unit, year=year).first()
    return None if r is None else {f: getattr(r, f) for f in DuesRollup.FIGURES}
