"""Reads of dues that pages, the API and the assessment share, each in a fixed number of
queries. Subtree figures come from the roll-up rows, never from payments."""

import datetime
from collections.abc import Iterator
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
from django.db.models.functions import Cast, Coalesce, Round
from django.utils import timezone

from jiceng.core import rollups as engine
from jiceng.members.models import Member, MemberStatus, MemberType
from jiceng.org.anchors import ancestor_paths
from jiceng.org.models import Level, Unit

from .measures import DUES, CollectionRate
from .models import STANDARD_LEVELS, DuesRollup, DuesStandard, Payment, from_cents, to_cents
from .rollups import member_due_cents, standards_for_grassroots

# --- Collection rates --------------------------------------------------------------------------


def rollups_in_subtree(unit: Unit) -> QuerySet[DuesRollup]:
    """Roll-up rows of the units in `unit`'s subtree, through the narrowest indexed column."""
    return engine.rows_in_subtree(DUES, unit, None)


def collection_rate(*, unit: Unit, year: int) -> CollectionRate:
    """The dues figures of `unit`'s whole subtree for `year` (one query over roll-up rows)."""
    return engine.total(DUES, unit=unit, year=year)


@dataclass(frozen=True)
class ChildRate:
    """One line of a unit's dues table: a child unit's subtree, or (`unit` is the parent
    itself, `own` True) the members the parent holds directly."""

    unit: Unit
    figures: CollectionRate
    own: bool = False
    #: False for a child unit whose subtree has no roll-up row: nothing reported, not zeros.
    reported: bool = True


def collection_rates_by_child(*, unit: Unit, year: int) -> list[ChildRate]:
    """One line per child unit (by code, zero where nothing is due), plus a line for members
    held by `unit` itself when it has any. Two queries, whatever the number of children."""
    rollup = engine.read(DUES, unit=unit, year=year)
    lines = [ChildRate(row.unit, row.figures, reported=row.reported) for row in rollup.children]
    if not rollup.own.is_empty:
        lines.insert(0, ChildRate(unit, rollup.own, own=True))
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
    per_association = engine.per_association(DUES, unit=unit, year=year)
    # At most a few thousand associations: the owing ones are picked here.
    owing = {pk: rate for pk, rate in per_association.items() if rate.members_owing > 0}
    units = Unit.objects.in_bulk(list(owing))
    result = [AssociationArrears(units[pk], rate) for pk, rate in owing.items() if pk in units]
    result.sort(key=lambda a: (-a.figures.owed, a.unit.code))
    return result


# --- What the dues pages read besides ----------------------------------------------------------


def own_standards(*, unit: Unit, year: int) -> dict[str, DuesStandard]:
    """The unit's own dues standards for `year` (not inherited ones), by member type."""
    return {s.member_type: s for s in DuesStandard.objects.filter(unit=unit, year=year)}


def owing_year(dues: MemberDues) -> MemberDuesYear | None:
    """The latest year, up to this one, that the member still owes for (what a new payment is
    most likely for)."""
    return next((y for y in dues.years if y.owed > 0 and y.year <= dues.current_year), None)


def arrears(*, unit: Unit, year: int) -> tuple[bool, MembersInArrears | list[AssociationArrears]]:
    """Who owes for `year` in `unit`'s subtree: (True, the members) for an association and
    below, (False, the associations) above."""
    if lists_members_in_arrears(unit):
        return True, members_in_arrears(unit=unit, year=year)
    return False, associations_in_arrears(unit=unit, year=year)
