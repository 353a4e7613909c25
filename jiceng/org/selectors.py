"""Reads of the tree and of profiles. Each returns in a fixed number of queries."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet

from jiceng.core.scope import in_scope

from .anchors import ancestor_paths
from .models import (
    Duty,
    EquipmentItem,
    FundsYear,
    LeadershipMember,
    LeadingGroupMember,
    Level,
    StaffMember,
    Unit,
    Venue,
    VenuePhoto,
)
from .models.profile import ProfileItem

if TYPE_CHECKING:
    from jiceng.accounts.models import User


def unit_breadcrumbs(*, unit: Unit, user: "User") -> list[Unit]:
    """The unit's ancestors from the user's own unit down to it (one query)."""
    paths = [p for p in ancestor_paths(unit.path) if len(p) >= len(user.unit.path)]
    return list(Unit.objects.filter(path__in=paths).order_by("depth"))


def unit_level_counts(*, unit: Unit) -> list[tuple[str, str, int]]:
    """How many units of each level the subtree holds, the unit itself excluded."""
    rows = (
        Unit.objects.subtree(unit)
        .exclude(pk=unit.pk)
        .order_by()
        .values_list("level")
        .annotate(n=Count("id"))
    )
    counts = dict(rows)
    return [
        (level.value, str(level.label), counts[level.value])
        for level in Level
        if counts.get(level.value)
    ]


def unit_children(*, unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(parent=unit).order_by("code")


FIVE_HAVES = ("staff", "venue", "funds", "equipment", "duties")


@dataclass
class UnitProfile:
    venue: Venue
    photos: list[VenuePhoto]
    staff: list[StaffMember]
    funds: list[FundsYear]
    equipment: list[EquipmentItem]
    duties: list[Duty]
    leadership: list[LeadershipMember]
    leading_group: list[LeadingGroupMember]
    completeness: dict[str, bool] = field(default_factory=dict)

    @property
    def completeness_percent(self) -> int:
        return round(100 * sum(self.completeness.values()) / len(FIVE_HAVES))


def five_haves(
    *, venue_complete: bool, staff: int, funds: int, equipment: int, duties: int
) -> dict[str, bool]:
    """Which of the five haves a unit has on record: the one rule, for one unit's profile and
    for the batched figure (`org/figures.py`)."""
    return {
        "staff": staff > 0,
        "venue": venue_complete,
        "funds": funds > 0,
        "equipment": equipment > 0,
        "duties": duties > 0,
    }


def five_haves_of(units: Sequence[Unit]) -> dict[int, dict[str, bool]]:
    """The five haves of many units: five grouped queries, whatever their number."""
    ids = [u.pk for u in units]

    def counts(model: type[ProfileItem]) -> dict[int, int]:
        rows = model._default_manager.filter(unit_id__in=ids).order_by().values_list("unit_id")
        return dict(rows.annotate(n=Count("id")).values_list("unit_id", "n"))

    complete = set(
        Venue.objects.filter(unit_id__in=ids)
        .exclude(address="")
        .filter(floor_area__gt=0)
        .values_list("unit_id", flat=True)
    )
    staff, funds = counts(StaffMember), counts(FundsYear)
    equipment, duties = counts(EquipmentItem), counts(Duty)
    return {
        pk: five_haves(
            venue_complete=pk in complete,
            staff=staff.get(pk, 0),
            funds=funds.get(pk, 0),
            equipment=equipment.get(pk, 0),
            duties=duties.get(pk, 0),
        )
        for pk in ids
    }


def unit_profile(*, unit: Unit) -> UnitProfile:
    venue = Venue.objects.filter(unit=unit).first() or Venue(unit=unit)
    profile = UnitProfile(
        venue=venue,
        photos=list(VenuePhoto.objects.filter(unit=unit)),
        staff=list(StaffMember.objects.filter(unit=unit)),
        funds=list(FundsYear.objects.filter(unit=unit)),
        equipment=list(EquipmentItem.objects.filter(unit=unit)),
        duties=list(Duty.objects.filter(unit=unit)),
        leadership=list(LeadershipMember.objects.filter(unit=unit)),
        leading_group=list(LeadingGroupMember.objects.filter(unit=unit)),
    )
    profile.completeness = five_haves(
        venue_complete=venue.is_complete,
        staff=len(profile.staff),
        funds=len(profile.funds),
        equipment=len(profile.equipment),
        duties=len(profile.duties),
    )
    return profile


def unit_by_code(*, user: "User", code: str) -> Unit | None:
    """The unit with this code if it lies in the user's subtree (forms that name a unit)."""
    return in_scope(Unit.objects.all(), user).filter(code=code.strip()).first()
