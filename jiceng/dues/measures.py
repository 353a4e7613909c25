"""Dues collection on the roll-up engine (`core/rollups.py`): the measure whose summary rows
are `DuesRollup`, kept by deltas from payments (`rollups.apply_payment_delta`) and refreshed or
rebuilt by one grouped SQL statement (`rollups.refresh_rows`, `rollups.rebuild_rows`)."""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from jiceng.core import rollups as engine
from jiceng.org.models import Unit

from . import rollups
from .models import DuesRollup, from_cents

RATE_PLACES = Decimal("0.0001")
PERCENT_PLACES = Decimal("0.1")


@dataclass(frozen=True)
class CollectionRate:
    """Dues figures of a set of members for one year. `paid` counts each member's payments up to
    what they owe, so `rate` = paid ÷ due is at most 1; `received` is everything paid."""

    members_due: int = 0
    members_paid: int = 0
    due: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")
    received: Decimal = Decimal("0.00")

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> "CollectionRate":
        """From a row of summed figures (missing or None counts as 0)."""

        def get(name: str) -> int:
            return int(row.get(name) or 0)

        return cls(
            members_due=get("members_due"),
            members_paid=get("members_paid"),
            due=from_cents(get("due_cents")),
            paid=from_cents(get("paid_cents")),
            received=from_cents(get("received_cents")),
        )

    def __add__(self, other: "CollectionRate") -> "CollectionRate":
        return CollectionRate(
            members_due=self.members_due + other.members_due,
            members_paid=self.members_paid + other.members_paid,
            due=self.due + other.due,
            paid=self.paid + other.paid,
            received=self.received + other.received,
        )

    @property
    def rate(self) -> Decimal | None:
        """paid ÷ due (0–1, four places), or None when nothing is due."""
        if not self.due:
            return None
        return (self.paid / self.due).quantize(RATE_PLACES)

    @property
    def percent(self) -> Decimal | None:
        rate = self.rate
        return None if rate is None else (rate * 100).quantize(PERCENT_PLACES)

    @property
    def owed(self) -> Decimal:
        return self.due - self.paid

    @property
    def members_owing(self) -> int:
        return self.members_due - self.members_paid

    @property
    def is_empty(self) -> bool:
        return not (self.members_due or self.received)


def _members_of(units: QuerySet[Unit] | None) -> rollups.Where:
    if units is None:
        return rollups.EVERYTHING
    return rollups.Where.subquery("m.unit_id", units.order_by().values("pk"))


class DuesMeasure(engine.Measure[CollectionRate]):
    name = "dues"
    model = DuesRollup

    def facts(self, *, units: QuerySet[Unit] | None) -> Iterator[dict[str, Any]]:  # type: ignore[override]
        members = _members_of(units)
        years = rollups.years_with_facts(members)
        if not years:
            return
        sql, params = rollups.rollup_select_sql(
            members=members, grassroots=rollups.EVERYTHING, years=years
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            names = [column[0] for column in cursor.description]
            for values in cursor.fetchall():
                yield dict(zip(names, values, strict=True))

    def combine(self, rows: Iterable[Mapping[str, Any]]) -> CollectionRate:
        return sum((CollectionRate.from_row(row) for row in rows), CollectionRate())

    def rebuild_rows(
        self, *, units: QuerySet[Unit] | None = None, years: Sequence[int] | None = None
    ) -> int:
        if units is None:
            return rollups.rebuild_rows(years=years)
        unit_ids = units.order_by().values("pk")
        with transaction.atomic():
            rollups.refresh_rows(
                members=_members_of(units),
                rollups=rollups.Where.subquery("unit_id", unit_ids),
                grassroots=rollups.EVERYTHING,
                years=years,
            )
        stored = DuesRollup.objects.filter(unit_id__in=unit_ids)
        return (stored.filter(year__in=list(years)) if years is not None else stored).count()


DUES = engine.register(DuesMeasure())
