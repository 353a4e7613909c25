"""Reads of the tree and of profiles. Each returns in a fixed number of queries."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from jiceng.core.scope import in_scope

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

if TYPE_CHECKING:
    from jiceng.accounts.models import User


def unit_breadcrumbs(*, unit: Unit, user: "User") -> list[Unit]:
    """The unit's ancestors from the user's own unit down to it (one query)."""
    steplen = Unit.steplen
    top = len(user.unit.path)
    paths = [unit.path[:end] for end in range(top, len(unit.path) + 1, steplen)]
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


def unit_search(*, user: "User", query: str, level: str = "") -> QuerySet[Unit]:
    """Units in the user's subtree whose name contains, or code starts with, the query."""
    qs = in_scope(Unit.objects.all(), user)
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(name__contains=query) | Q(short_name__contains=query) | Q(code__startswith=query)
        )
    if level:
        qs = qs.filter(level=level)
    return qs.select_related("parent").order_by("code")


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
    *, venue: Venue, staff: list, funds: list, equipment: list, duties: list
) -> dict[str, bool]:
    """Which of the five haves the unit has on record."""
    return {
        "staff": bool(staff),
        "venue": venue.is_complete,
        "funds": bool(funds),
        "equipment": bool(equipment),
        "duties": bool(duties),
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
        venue=venue,
        staff=profile.staff,
        funds=profile.funds,
        equipment=profile.equipment,
        duties=profile.duties,
    )
    return profile


def unit_anchors(*, unit: Unit) -> tuple[int, int | None]:
    """(province id, grassroots association id) of a unit: the ancestors that fact tables
    carry, denormalised. The grassroots id is None above the grassroots level."""
    steplen = Unit.steplen
    prefixes = [unit.path[:end] for end in range(steplen, len(unit.path) + 1, steplen)]
    if len(prefixes) < 2:
        raise ValueError("the national unit has no province")
    rows = Unit.objects.filter(path__in=prefixes[1:]).values_list("pk", "path", "level")
    by_path = {path: (pk, level) for pk, path, level in rows}
    province_id = by_path[prefixes[1]][0]
    grassroots_id = next((pk for pk, level in by_path.values() if level == Level.GRASSROOTS), None)
    return province_id, grassroots_id


def unit_by_code(*, user: "User", code: str) -> Unit | None:
    """The unit with this code if it lies in the user's subtree (forms that name a unit)."""
    return in_scope(Unit.objects.all(), user).filter(code=code.strip()).first()
