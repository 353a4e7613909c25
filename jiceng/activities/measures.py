"""The app's measures on the roll-up engine (`core/rollups.py`): activities per kind, complaint
handling and rules coverage, each kept as summary rows by deltas from the services."""

import datetime
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    CharField,
    Count,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from jiceng.core import rollups
from jiceng.org.models import Unit

from . import deadlines
from .models import (
    Activity,
    ActivityKind,
    ActivityRollup,
    Complaint,
    ComplaintRollup,
    ComplaintState,
    Honour,
    HonourLevel,
    MediaReport,
    RecognitionRollup,
    RuleDocument,
    RulesRollup,
)


def _of_units(queryset: QuerySet[Any], units: QuerySet[Unit] | None) -> QuerySet[Any]:
    if units is None:
        return queryset
    return queryset.filter(unit_id__in=units.order_by().values("pk"))


# --- Activities --------------------------------------------------------------------------------


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

    @property
    def labelled_kind_cells(self) -> list[tuple[str, int]]:
        """(kind label, count) in the order of `ActivityKind`, for tables."""
        return [(str(label), self.by_kind.get(kind, 0)) for kind, label in ActivityKind.choices]


class ActivityMeasure(rollups.Measure[ActivityCounts]):
    name = "activities"
    model = ActivityRollup

    def facts(self, *, units: QuerySet[Unit] | None) -> QuerySet[Any]:
        return (
            _of_units(Activity.objects.all(), units)
            .annotate(year=ExtractYear("date"))
            .order_by()
            .values("unit_id", "year", "kind")
            .annotate(
                activities=Count("id"),
                participants=Coalesce(Sum("participants"), 0),
                members_served=Coalesce(Sum("members_served"), 0),
            )
        )

    def combine(self, rows: Iterable[Mapping[str, Any]]) -> ActivityCounts:
        counts = ActivityCounts()
        for row in rows:
            counts.add(row["kind"], row["activities"], row["participants"], row["members_served"])
        return counts


ACTIVITIES = rollups.register(ActivityMeasure())


def activity_delta(activity: Activity, sign: int) -> None:
    """Add (+1) or take away (-1) one activity's figures: services call it inside their
    transaction, with the stored values before a change and the new ones after."""
    rollups.apply_delta(
        ActivityRollup,
        unit_id=activity.unit_id,
        year=activity.date.year,
        keys={"kind": activity.kind},
        activities=sign,
        participants=sign * (activity.participants or 0),
        members_served=sign * (activity.members_served or 0),
    )


# --- Complaints --------------------------------------------------------------------------------


@dataclass
class ComplaintStats:
    """Counts per state, the time taken to respond and to resolve, and how many are overdue
    (answered after their due date, or still waiting past it, `activities/deadlines.py`)."""

    received: int = 0
    in_progress: int = 0
    resolved: int = 0
    closed: int = 0
    #: How many have had a first response, and the time those responses took in all.
    responded: int = 0
    response_time: datetime.timedelta = datetime.timedelta(0)
    #: Time from receipt to resolution or closing, over the resolved and closed.
    resolution_time: datetime.timedelta = datetime.timedelta(0)
    #: Answered after the due date.
    late: int = 0
    #: Still waiting for a first response after the due date (as of the day they were read).
    waiting_overdue: int = 0

    def add(
        self,
        state: str,
        count: int,
        responded: int,
        waited: datetime.timedelta | None,
        *,
        late: int = 0,
        resolution_time: datetime.timedelta | None = None,
        overdue_waiting: int = 0,
    ) -> None:
        if state in (s.value for s in ComplaintState):
            setattr(self, state, getattr(self, state) + count)
        self.responded += responded
        self.response_time += waited or datetime.timedelta(0)
        self.resolution_time += resolution_time or datetime.timedelta(0)
        self.late += late
        self.waiting_overdue += overdue_waiting

    @property
    def total(self) -> int:
        return self.received + self.in_progress + self.resolved + self.closed

    @property
    def handled(self) -> int:
        """Resolved or closed."""
        return self.resolved + self.closed

    @property
    def overdue(self) -> int:
        """Answered late, or still waiting past the due date."""
        return self.late + self.waiting_overdue

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

    @property
    def avg_resolution_hours(self) -> float | None:
        """Average hours from received to resolution or closing, over the cases finished."""
        if not self.handled:
            return None
        return round(self.resolution_time.total_seconds() / 3600 / self.handled, 1)


def complaint_year(complaint: Complaint) -> int:
    """The year a complaint counts in: when it was received, in the site's time zone."""
    return timezone.localtime(complaint.received_at).year


def _seconds(start: datetime.datetime, end: datetime.datetime | None) -> int:
    return 0 if end is None else int((end - start).total_seconds())


def complaint_row_of(
    state: str,
    received_at: datetime.datetime,
    responded_at: datetime.datetime | None,
    resolved_at: datetime.datetime | None,
) -> tuple[datetime.date | None, dict[str, int]]:
    """One complaint as a summary row's key (its due date while waiting) and figures."""
    waiting = responded_at is None
    due_on = deadlines.response_due_on(received_at) if waiting else None
    late = int(not waiting and deadlines.responded_late(received_at, responded_at))  # type: ignore[arg-type]
    return due_on, {
        "complaints": 1,
        "responded": int(not waiting),
        "wait_seconds": _seconds(received_at, responded_at),
        "late": late,
        "resolve_seconds": _seconds(received_at, resolved_at),
    }


class ComplaintMeasure(rollups.Measure[ComplaintStats]):
    name = "complaints"
    model = ComplaintRollup

    def facts(self, *, units: QuerySet[Unit] | None) -> Iterator[dict[str, Any]]:  # type: ignore[override]
        """Summed per (unit, year, state, due date) in Python: the due date counts working
        days, which no portable SQL expression does."""
        rows: dict[tuple[Any, ...], dict[str, Any]] = {}
        complaints = (
            _of_units(Complaint.objects.all(), units)
            .order_by()
            .values_list("unit_id", "state", "received_at", "responded_at", "resolved_at")
        )
        for unit_id, state, received_at, responded_at, resolved_at in complaints.iterator(
            chunk_size=5000
        ):
            due_on, figures = complaint_row_of(state, received_at, responded_at, resolved_at)
            year = timezone.localtime(received_at).year
            key = (unit_id, year, state, due_on)
            row = rows.get(key)
            if row is None:
                rows[key] = {
                    "unit_id": unit_id,
                    "year": year,
                    "state": state,
                    "due_on": due_on,
                    **figures,
                }
            else:
                for name, value in figures.items():
                    row[name] += value
        yield from rows.values()

    def combine(self, rows: Iterable[Mapping[str, Any]]) -> ComplaintStats:
        stats = ComplaintStats()
        today = timezone.localdate()
        for row in rows:
            due_on = row.get("due_on")
            stats.add(
                row["state"],
                row["complaints"],
                row["responded"],
                datetime.timedelta(seconds=row["wait_seconds"] or 0),
                late=row.get("late") or 0,
                resolution_time=datetime.timedelta(seconds=row.get("resolve_seconds") or 0),
                overdue_waiting=row["complaints"] if due_on is not None and today > due_on else 0,
            )
        return stats


COMPLAINTS = rollups.register(ComplaintMeasure())


def complaint_delta(complaint: Complaint, sign: int) -> None:
    """Add (+1) or take away (-1) one complaint as it stands (state, response times)."""
    due_on, figures = complaint_row_of(
        complaint.state, complaint.received_at, complaint.responded_at, complaint.resolved_at
    )
    rollups.apply_delta(
        ComplaintRollup,
        unit_id=complaint.unit_id,
        year=complaint_year(complaint),
        keys={"state": complaint.state, "due_on": due_on},
        **{name: sign * value for name, value in figures.items()},
    )


# --- Rules coverage ----------------------------------------------------------------------------


class RulesMeasure(rollups.Measure[int]):
    """Documents adopted for checklist items still active (cumulative over the years)."""

    name = "rules"
    model = RulesRollup
    cumulative = True

    def facts(self, *, units: QuerySet[Unit] | None) -> QuerySet[Any]:
        return (
            _of_units(RuleDocument.objects.all(), units)
            .annotate(year=ExtractYear("adopted_on"))
            .order_by()
            .values("unit_id", "year", "item_id")
            .annotate(documents=Count("id"))
        )

    def rows_filter(self) -> Q:
        return Q(item__is_active=True)

    def combine(self, rows: Iterable[Mapping[str, Any]]) -> int:
        return sum(int(row["documents"] or 0) for row in rows)


RULES = rollups.register(RulesMeasure())


def rule_document_delta(document: RuleDocument, sign: int) -> None:
    rollups.apply_delta(
        RulesRollup,
        unit_id=document.unit_id,
        year=document.adopted_on.year,
        keys={"item_id": document.item_id},
        documents=sign,
    )


# --- Recognition -------------------------------------------------------------------------------

#: The `kind` of a media report's rows; an honour's is its level.
MEDIA = "media"


@dataclass
class RecognitionCounts:
    honours: int = 0
    by_level: dict[str, int] = field(default_factory=dict)
    media_reports: int = 0

    @property
    def level_cells(self) -> list[int]:
        """Honours in the order of `HonourLevel`, for tables."""
        return [self.by_level.get(level, 0) for level in HonourLevel.values]

    @property
    def labelled_level_cells(self) -> list[tuple[str, int]]:
        """(level label, honours) in the order of `HonourLevel`, for tables."""
        return [(str(label), self.by_level.get(level, 0)) for level, label in HonourLevel.choices]

    @property
    def levels_labelled(self) -> list[tuple[str, int]]:
        """(level label, count) for the levels with honours, national first."""
        return [
            (str(label), self.by_level[value])
            for value, label in HonourLevel.choices
            if self.by_level.get(value)
        ]


class RecognitionMeasure(rollups.Measure[RecognitionCounts]):
    name = "recognition"
    model = RecognitionRollup

    def facts(self, *, units: QuerySet[Unit] | None) -> Iterator[dict[str, Any]]:  # type: ignore[override]
        honours = _of_units(Honour.objects.all(), units).annotate(kind=F("level"))
        reports = _of_units(MediaReport.objects.all(), units).annotate(
            kind=Value(MEDIA, output_field=CharField())
        )
        for queryset in (honours, reports):
            yield from (
                queryset.annotate(year=ExtractYear("date"))
                .order_by()
                .values("unit_id", "year", "kind")
                .annotate(items=Count("id"))
            )

    def combine(self, rows: Iterable[Mapping[str, Any]]) -> RecognitionCounts:
        counts = RecognitionCounts()
        for row in rows:
            if row["kind"] == MEDIA:
                counts.media_reports += row["items"]
            else:
                counts.by_level[row["kind"]] = counts.by_level.get(row["kind"], 0) + row["items"]
                counts.honours += row["items"]
        return counts


RECOGNITION = rollups.register(RecognitionMeasure())


def recognition_delta(record: Honour | MediaReport, sign: int) -> None:
    """Add (+1) or take away (-1) one honour or media report."""
    kind = record.level if isinstance(record, Honour) else MEDIA
    rollups.apply_delta(
        RecognitionRollup,
        unit_id=record.unit_id,
        year=record.date.year,
        keys={"kind": kind},
        items=sign,
    )
