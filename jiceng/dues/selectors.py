"""Reads of dues that pages, the API and the assessment share, each in a fixed number of
queries. Subtree figures come from the roll-up rows, never from payments."""

import datetime
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Round, Substr
from django.utils import timezone

from jiceng.members.models import Member, MemberStatus, MemberType
from jiceng.org.models import Level, Unit

from .models import STANDARD_LEVELS, DuesRollup, DuesStandard, Payment, from_cents, to_cents
from .rollups import ancestor_paths, member_due_cents, standards_for_grassroots

RATE_PLACES = Decimal("0.0001")
PERCENT_PLACES = Decimal("0.1")


# --- Collection rates --------------------------------------------------------------------------


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
        """From a row of `_SUMS` (None where no roll-up row matched)."""

        def get(name: str) -> int:
            return int(row.get(f"sum_{name}") or 0)

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


_SUMS = {f"sum_{name}": Sum(name) for name in DuesRollup.FIGURES}


def rollups_in_subtree(unit: Unit) -> QuerySet[DuesRollup]:
    """Roll-up rows of the units in `unit`'s subtree, through the narrowest indexed column."""
    anchored = unit.anchor_filter()
    return DuesRollup.objects.filter(
        anchored if anchored is not None else Q(unit__path__subtree=unit.path)
    )


def collection_rate(*, unit: Unit, year: int) -> CollectionRate:
    """The dues figures of `unit`'s whole subtree for `year` (one query over roll-up rows)."""
    row = rollups_in_subtree(unit).filter(year=year).aggregate(**_SUMS)
    return CollectionRate.from_row(row)


@dataclass(frozen=True)
class ChildRate:
    """One line of a unit's dues table: a child unit's subtree, or (`unit` is the parent
    itself, `own` True) the members the parent holds directly."""

    unit: Unit
    figures: CollectionRate
    own: bool = False


def collection_rates_by_child(*, unit: Unit, year: int) -> list[ChildRate]:
    """One line per child unit (by code, zero where nothing is due), plus a line for members
    held by `unit` itself when it has any. Two queries, whatever the number of children."""
    children = list(Unit.objects.filter(parent=unit).order_by("code"))
    rows = rollups_in_subtree(unit).filter(year=year).order_by()
    by_key: dict[Any, CollectionRate] = {}
    grouped: Iterable[Mapping[str, Any]]
    if unit.level == Level.NATIONAL:
        grouped = rows.values("province_id").annotate(**_SUMS)
        by_key = {row["province_id"]: CollectionRate.from_row(row) for row in grouped}
        lines = [ChildRate(c, by_key.get(c.pk, CollectionRate())) for c in children]
    else:
        length = len(unit.path) + Unit.steplen
        grouped = (
            rows.annotate(prefix=Substr("unit__path", 1, length)).values("prefix").annotate(**_SUMS)
        )
        by_key = {row["prefix"]: CollectionRate.from_row(row) for row in grouped}
        lines = [ChildRate(c, by_key.get(c.path, CollectionRate())) for c in children]
    own = by_key.get(unit.path)
    if own is not None:
        lines.insert(0, ChildRate(unit, own, own=True))
    return lines


@dataclass(frozen=True)
class DuesSummary:
    year: int
    total: CollectionRate
    lines: list[ChildRate]


def unit_dues_summary(*, unit: Unit, year: int) -> DuesSummary:
    """The subtree's totals and one line per child: the totals are the lines' sum (two queries)."""
    lines = collection_rates_by_child(unit=unit, year=year)
    total = sum((line.figures for line in lines), CollectionRate())
    return DuesSummary(year=year, total=total, lines=lines)


# --- Standards ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StandardInForce:
    member_type: str
    label: str
    standard: DuesStandard | None
    #: Set by this unit (else inherited from `standard.unit`, an ancestor).
    own: bool

    @property
    def amount(self) -> Decimal | None:
        return self.standard.amount if self.standard is not None else None


def standards_in_force(*, unit: Unit, year: int) -> list[StandardInForce]:
    """Per member type, the standard that applies at `unit` for `year`: its own, or the one of
    its nearest ancestor. One query."""
    found: dict[str, DuesStandard] = {}
    for standard in (
        DuesStandard.objects.filter(unit__path__in=ancestor_paths(unit.path), year=year)
        .select_related("unit")
        .order_by("unit__depth")
    ):
        found[standard.member_type] = standard
    return [
        StandardInForce(
            member_type=t.value,
            label=str(t.label),
            standard=found.get(t.value),
            own=t.value in found and found[t.value].unit_id == unit.pk,
        )
        for t in MemberType
    ]


def can_set_standards(unit: Unit) -> bool:
    return unit.level in STANDARD_LEVELS


def standard_years(*, around: int) -> list[int]:
    """The years a dues page offers: two back, one ahead."""
    return list(range(around + 1, around - 3, -1))


# --- Payments ----------------------------------------------------------------------------------


def recent_payments(*, unit: Unit, limit: int = 10) -> list[Payment]:
    """The latest receipts recorded in `unit`'s subtree, for any dues year: an index range on
    (province | association | unit, recorded_at), the primary key nationally."""
    order = ["-id"] if unit.level == Level.NATIONAL else ["-recorded_at", "-id"]
    return list(
        Payment.objects.in_subtree(unit).select_related("member", "unit").order_by(*order)[:limit]
    )


@dataclass
class MemberDuesYear:
    year: int
    #: Whether the member counts as due that year (active, joined by then, a standard > 0).
    is_due: bool
    due: Decimal
    paid: Decimal
    standard: DuesStandard | None
    payments: list[Payment] = field(default_factory=list)

    @property
    def owed(self) -> Decimal:
        return max(self.due - self.paid, Decimal("0.00"))

    @property
    def settled(self) -> bool:
        return self.is_due and self.paid >= self.due


@dataclass
class MemberDues:
    member: Member
    years: list[MemberDuesYear]
    current_year: int

    @property
    def current(self) -> MemberDuesYear | None:
        return next((y for y in self.years if y.year == self.current_year), None)

    def year(self, year: int) -> MemberDuesYear | None:
        return next((y for y in self.years if y.year == year), None)


#: How many past years a member's dues panel shows.
RECENT_YEARS = 3


def member_dues(*, member: Member, today: datetime.date | None = None) -> MemberDues:
    """What the member owes and has paid per recent year (this year and the two before, and
    any other year of the last five with payments), newest first, with the payments. Three
    queries at most."""
    current = (today or timezone.localdate()).year
    first = current - 4
    grassroots = member.grassroots  # select_related by the caller saves this query
    payments = list(
        Payment.objects.filter(member=member, dues_year__gte=first)
        .select_related("recorded_by")
        .order_by("-dues_year", "-paid_on", "-id")
    )
    years = set(range(current - RECENT_YEARS + 1, current + 1))
    years.update(p.dues_year for p in payments)
    standards = standards_for_grassroots(grassroots=grassroots, years=years)
    result = []
    for year in sorted(years, reverse=True):
        mine = [p for p in payments if p.dues_year == year]
        due = member_due_cents(member, year, standards)
        paid = sum(to_cents(p.amount) for p in mine if not p.is_void)
        standard = standards.get((year, member.member_type))
        result.append(
            MemberDuesYear(
                year=year,
                is_due=due > 0,
                due=from_cents(due),
                paid=from_cents(paid),
                standard=standard,
                payments=mine,
            )
        )
    return MemberDues(member=member, years=result, current_year=current)


# --- Arrears -----------------------------------------------------------------------------------


def _paid_cents_subquery(year: int) -> Any:
    cents = Cast(Round(F("amount") * 100), BigIntegerField())
    paid = (
        Payment.objects.valid()
        .filter(member=OuterRef("pk"), dues_year=year)
        .order_by()
        .values("member")
        .annotate(total=Sum(cents, output_field=BigIntegerField()))
        .values("total")
    )
    return Coalesce(Subquery(paid), Value(0), output_field=BigIntegerField())


def lists_members_in_arrears(unit: Unit) -> bool:
    """Member by member for an association and below; above, association by association."""
    return unit.level in (Level.GRASSROOTS, Level.BRANCH, Level.GROUP)


def _grassroots_of(unit: Unit) -> Unit | None:
    if unit.level == Level.GRASSROOTS:
        return unit
    return (
        Unit.objects.filter(path__in=ancestor_paths(unit.path), level=Level.GRASSROOTS)
        .order_by("-depth")
        .first()
    )


@dataclass(frozen=True)
class ArrearsRow:
    member: Member
    due: Decimal
    paid: Decimal

    @property
    def owed(self) -> Decimal:
        return self.due - self.paid


class MembersInArrears:
    """The members of a subtree who owe dues for a year, newest first. Its length comes from
    the roll-up (members due − members paid), so a paginator counts nothing; a page is one
    query."""

    def __init__(self, queryset: QuerySet[Member], count: int):
        self.queryset = queryset
        self._count = count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: slice) -> list[ArrearsRow]:
        return [
            ArrearsRow(member=m, due=from_cents(m.due_cents), paid=from_cents(m.paid_cents))  # type: ignore[attr-defined]
            for m in self.queryset[index]
        ]

    def __iter__(self) -> Iterator[ArrearsRow]:
        return iter(self[:])


def members_in_arrears(*, unit: Unit, year: int) -> MembersInArrears:
    """Active members of `unit`'s subtree (an association or below) who were due for `year`
    and have paid less than their due, with what they owe."""
    grassroots = _grassroots_of(unit)
    count = collection_rate(unit=unit, year=year).members_owing
    if grassroots is None:
        return MembersInArrears(Member.objects.none(), 0)
    standards = standards_for_grassroots(grassroots=grassroots, years=[year])
    whens = [
        When(member_type=member_type, then=Value(to_cents(s.amount)))
        for (_year, member_type), s in standards.items()
        if s.amount > 0
    ]
    if not whens:
        return MembersInArrears(Member.objects.none(), 0)
    due = Case(*whens, default=Value(0), output_field=BigIntegerField())
    qs = (
        Member.objects.in_subtree(unit)
        .filter(status=MemberStatus.ACTIVE)
        .filter(Q(join_date__isnull=True) | Q(join_date__lte=datetime.date(year, 12, 31)))
        .annotate(due_cents=due, paid_cents=_paid_cents_subquery(year))
        .filter(due_cents__gt=0, paid_cents__lt=F("due_cents"))
        .select_related("unit")
        .order_by("-id")
    )
    return MembersInArrears(qs, count)


@dataclass(frozen=True)
class AssociationArrears:
    unit: Unit
    figures: CollectionRate


def associations_in_arrears(*, unit: Unit, year: int) -> list[AssociationArrears]:
    """The grassroots associations of `unit`'s subtree with members owing for `year`, most owed
    first, from the roll-up (two queries: figures, then the associations on the list)."""
    grouped: Iterable[Mapping[str, Any]] = (
        rollups_in_subtree(unit)
        .filter(year=year)
        .order_by()
        .values("grassroots_id")
        .annotate(**_SUMS)
    )
    # At most a few thousand associations: the owing ones are picked here.
    rows = [r for r in grouped if (r["sum_members_due"] or 0) > (r["sum_members_paid"] or 0)]
    units = Unit.objects.in_bulk([r["grassroots_id"] for r in rows])
    result = [
        AssociationArrears(units[r["grassroots_id"]], CollectionRate.from_row(r))
        for r in rows
        if r["grassroots_id"] in units
    ]
    result.sort(key=lambda a: (-a.figures.owed, a.unit.code))
    return result
