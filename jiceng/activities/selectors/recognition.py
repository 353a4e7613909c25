"""Reads of recognition: honours and media reports, and their counts per year."""

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from jiceng.core.scope import in_subtree
from jiceng.org.models import Unit

from ..models import Honour, HonourLevel, MediaReport


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
    def levels_labelled(self) -> list[tuple[str, int]]:
        """(level label, count) for the levels with honours, national first."""
        return [
            (str(label), self.by_level[value])
            for value, label in HonourLevel.choices
            if self.by_level.get(value)
        ]


def honour_list(*, unit: Unit) -> QuerySet[Honour]:
    """Honours of the unit and its subtree, newest first."""
    return in_subtree(Honour.objects.all(), unit).select_related("unit").order_by("-date", "-id")


def media_report_list(*, unit: Unit) -> QuerySet[MediaReport]:
    """Media reports about the unit and its subtree, newest first."""
    return (
        in_subtree(MediaReport.objects.all(), unit).select_related("unit").order_by("-date", "-id")
    )


def recognition_counts(*, unit: Unit, year: int, subtree: bool = True) -> RecognitionCounts:
    """The year's honours (by level) and media reports of the unit and, by default, its
    sub-units (`subtree=False`: its own only). Two queries; the figures standard 9
    (recognised) rests on."""
    honours = Honour.objects.filter(date__year=year)
    reports = MediaReport.objects.filter(date__year=year)
    if subtree:
        honours = in_subtree(honours, unit)
        reports = in_subtree(reports, unit)
    else:
        honours = honours.filter(unit=unit)
        reports = reports.filter(unit=unit)
    counts = RecognitionCounts(media_reports=reports.count())
    for level, n in honours.order_by().values_list("level").annotate(n=Count("id")):
        counts.by_level[level] = n
        counts.honours += n
    return counts
