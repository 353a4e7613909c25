"""Reads of complaints and help requests: lists, response time and resolution rate."""

from django.db.models import QuerySet

from jiceng.core import rollups
from jiceng.core.rollups import Rollup
from jiceng.core.scope import in_subtree
from jiceng.org.models import Unit

from ..measures import COMPLAINTS, ComplaintStats
from ..models import Complaint


def _scoped(unit: Unit, *, subtree: bool) -> QuerySet[Complaint]:
    if subtree:
        return in_subtree(Complaint.objects.all(), unit)
    return Complaint.objects.filter(unit=unit)


def complaint_list(
    *, unit: Unit, state: str = "", kind: str = "", year: int | None = None
) -> QuerySet[Complaint]:
    """Complaints of the unit and its subtree, newest first."""
    qs = _scoped(unit, subtree=True)
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(received_at__year=year)
    return qs.select_related("unit").order_by("-received_at", "-id")


def complaint_stats(*, unit: Unit, year: int, subtree: bool = True) -> ComplaintStats:
    """The year's complaints (by the time received) of the unit, by default with its subtree:
    per state, the resolution rate and the average response time, from the summary rows (one
    query). The figures standard 7 (satisfied members) rests on."""
    if subtree:
        return rollups.total(COMPLAINTS, unit=unit, year=year)
    return rollups.own_figures(COMPLAINTS, units=[unit], year=year)[unit.pk]


def complaint_rollup(*, unit: Unit, year: int) -> Rollup[ComplaintStats]:
    """The year's figures for the subtree, the unit's own, and each child's subtree: two
    queries over summary rows."""
    return rollups.read(COMPLAINTS, unit=unit, year=year)
