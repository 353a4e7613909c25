"""Reads of complaints and help requests: lists, response time and resolution rate."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, DurationField, ExpressionWrapper, F, QuerySet, Sum

from jiceng.org.models import Unit

from ..models import Complaint, ComplaintState
from ._tree import Rollup, Row, child_prefix, children_of


@dataclass
class ComplaintStats:
    """Counts per state, and the time taken to respond."""

    received: int = 0
    in_progress: int = 0
    resolved: int = 0
    closed: int = 0
    #: How many have had a first response, and the time those responses took in all.
    responded: int = 0
    response_time: datetime.timedelta = datetime.timedelta(0)

    def add(self, state: str, count: int, responded: int, waited: datetime.timedelta | None):
        if state in (s.value for s in ComplaintState):
            setattr(self, state, getattr(self, state) + count)
        self.responded += responded
        self.response_time += waited or datetime.timedelta(0)

    @property
    def total(self) -> int:
        return self.received + self.in_progress + self.resolved + self.closed

    @property
    def handled(self) -> int:
        """Resolved or closed."""
        return self.resolved + self.closed

    @property
    def resolution_rate(self) -> float | None:
        """Resolved and closed ÷ all (0–1); None without any complaint."""
        return self.handled / self.total if self.total else None

    @property
    def resolution_percent(self) -> int | None:
        rate = self.resolution_rate
        return None if rate is None else round(rate * 100)

    @property
    def avg_response_hours(self) -> float | None:
        """Average hours from received to the first response, over the cases responded to;
        None when none has been (see `received` for those still waiting)."""
        if not self.responded:
            return None
        return round(self.response_time.total_seconds() / 3600 / self.responded, 1)


_WAIT = ExpressionWrapper(F("responded_at") - F("received_at"), output_field=DurationField())


def _scoped(unit: Unit, *, subtree: bool) -> QuerySet[Complaint]:
    if subtree:
        return Complaint.objects.filter(unit__path__subtree=unit.path)
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
    per state, the resolution rate and the average response time. One aggregate query; the
    figures standard 7 (satisfied members) rests on."""
    rows = (
        _scoped(unit, subtree=subtree)
        .filter(received_at__year=year)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"), responded=Count("responded_at"), waited=Sum(_WAIT))
    )
    stats = ComplaintStats()
    for state, n, responded, waited in rows:
        stats.add(state, n, responded, waited)
    return stats


def complaint_rollup(*, unit: Unit, year: int) -> Rollup[ComplaintStats]:
    """The year's figures for the subtree, the unit's own, and each child's subtree: two
    queries."""
    children = children_of(unit)
    rows = (
        _scoped(unit, subtree=True)
        .filter(received_at__year=year)
        .annotate(prefix=child_prefix(unit))
        .order_by()
        .values_list("prefix", "state")
        .annotate(n=Count("id"), responded=Count("responded_at"), waited=Sum(_WAIT))
    )
    total, own = ComplaintStats(), ComplaintStats()
    per_child = {child.path: ComplaintStats() for child in children}
    for prefix, state, n, responded, waited in rows:
        total.add(state, n, responded, waited)
        per_child.get(prefix, own).add(state, n, responded, waited)
    return Rollup(
        unit=unit,
        year=year,
        total=total,
        own=own,
        children=[Row(child, per_child[child.path]) for child in children],
    )
