"""Reads of the activity log: lists and counts per kind, rolled up the tree."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from jiceng.core import rollups
from jiceng.core.rollups import Rollup
from jiceng.core.scope import in_subtree
from jiceng.org.models import Unit

from ..measures import ACTIVITIES, ActivityCounts
from ..models import Activity, ActivityPhoto


def _scoped(unit: Unit, *, subtree: bool) -> QuerySet[Activity]:
    if subtree:
        return in_subtree(Activity.objects.all(), unit)
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
    """The year's activities of the unit (and, by default, its whole subtree) by kind, from the
    summary rows: one query. The figure standard 3 (rich activities) rests on."""
    if subtree:
        return rollups.total(ACTIVITIES, unit=unit, year=year)
    return rollups.own_figures(ACTIVITIES, units=[unit], year=year)[unit.pk]


def activity_rollup(*, unit: Unit, year: int) -> Rollup[ActivityCounts]:
    """The year's counts per kind for the subtree, the unit's own, and each child's subtree:
    two queries over summary rows, however many children and activities."""
    return rollups.read(ACTIVITIES, unit=unit, year=year)
