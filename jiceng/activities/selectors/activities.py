"""Reads of the activity log: lists and counts per kind, rolled up the tree."""

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from jiceng.org.models import Unit

from ..models import Activity, ActivityKind, ActivityPhoto
from ._tree import Rollup, Row, child_prefix, children_of


@dataclass
class ActivityCounts:
    """How many activities, of which kinds, with how many participants and members served."""

    total: int = 0
    participants: int = 0
    members_served: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, count: int, participants: int | None, served: int | None) -> None:
        self.total += count
        self.participants += participants or 0
        self.members_served += served or 0
        self.by_kind[kind] = self.by_kind.get(kind, 0) + count

    @property
    def kinds_covered(self) -> int:
        """How many different kinds of activity were held."""
        return sum(1 for n in self.by_kind.values() if n)

    @property
    def kind_cells(self) -> list[int]:
        """The counts in the order of `ActivityKind`, for tables."""
        return [self.by_kind.get(kind, 0) for kind in ActivityKind.values]


def _scoped(unit: Unit, *, subtree: bool) -> QuerySet[Activity]:
    if subtree:
        return Activity.objects.filter(unit__path__subtree=unit.path)
    return Activity.objects.filter(unit=unit)


def activity_list(*, unit: Unit, kind: str = "", year: int | None = None) -> QuerySet[Activity]:
    """Activities of the unit and its subtree, newest first, with each one's photo count."""
    photos = (
        ActivityPhoto.objects.filter(activity=OuterRef("pk"))
        .order_by()
        .values("activity")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = _scoped(unit, subtree=True)
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(date__year=year)
    return (
        qs.select_related("unit")
        .annotate(photo_count=Coalesce(Subquery(photos, output_field=IntegerField()), 0))
        .order_by("-date", "-id")
    )


def activity_photos(*, activity: Activity) -> list[ActivityPhoto]:
    return list(ActivityPhoto.objects.filter(activity=activity).order_by("id"))


def activity_counts(*, unit: Unit, year: int, subtree: bool = True) -> ActivityCounts:
    """The year's activities of the unit (and, by default, its whole subtree) by kind: one
    GROUP BY. The figure standard 3 (rich activities) rests on."""
    rows = (
        _scoped(unit, subtree=subtree)
        .filter(date__year=year)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"), p=Sum("participants"), m=Sum("members_served"))
    )
    counts = ActivityCounts()
    for kind, n, p, m in rows:
        counts.add(kind, n, p, m)
    return counts


def activity_rollup(*, unit: Unit, year: int) -> Rollup[ActivityCounts]:
    """The year's counts per kind for the subtree, the unit's own, and each child's subtree:
    two queries, however many children and activities."""
    children = children_of(unit)
    rows = (
        _scoped(unit, subtree=True)
        .filter(date__year=year)
        .annotate(prefix=child_prefix(unit))
        .order_by()
        .values_list("prefix", "kind")
        .annotate(n=Count("id"), p=Sum("participants"), m=Sum("members_served"))
    )
    total, own = ActivityCounts(), ActivityCounts()
    per_child = {child.path: ActivityCounts() for child in children}
    for prefix, kind, n, p, m in rows:
        total.add(kind, n, p, m)
        target = per_child.get(prefix, own)
        target.add(kind, n, p, m)
    return Rollup(
        unit=unit,
        year=year,
        total=total,
        own=own,
        children=[Row(child, per_child[child.path]) for child in children],
    )
