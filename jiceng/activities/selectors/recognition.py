"""Reads of recognition: commendations and media reports, and their counts per year."""

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from jiceng.org.models import Unit

from ..models import Commendation, CommendationLevel, MediaReport


@dataclass
class RecognitionCounts:
    commendations: int = 0
    by_level: dict[str, int] = field(default_factory=dict)
    media_reports: int = 0

    @property
    def level_cells(self) -> list[int]:
        """Commendations in the order of `CommendationLevel`, for tables."""
        return [self.by_level.get(level, 0) for level in CommendationLevel.values]

    @property
    def levels_labelled(self) -> list[tuple[str, int]]:
        """(level label, count) for the levels with commendations, national first."""
        return [
            (str(label), self.by_level[value])
            for value, label in CommendationLevel.choices
            if self.by_level.get(value)
        ]


def commendation_list(*, unit: Unit) -> QuerySet[Commendation]:
    """Commendations of the unit and its subtree, newest first."""
    return (
        Commendation.objects.filter(unit__path__subtree=unit.path)
        .select_related("unit")
        .order_by("-date", "-id")
    )


def media_report_list(*, unit: Unit) -> QuerySet[MediaReport]:
    """Media reports about the unit and its subtree, newest first."""
    return (
        MediaReport.objects.filter(unit__path__subtree=unit.path)
        .select_related("unit")
        .order_by("-date", "-id")
    )


def recognition_counts(*, unit: Unit, year: int, subtree: bool = True) -> RecognitionCounts:
    """The year's commendations (by level) and media reports of the unit and, by default, its
    sub-units (`subtree=False`: its own only). Two queries; the figures standard 9
    (recognised) rests on."""
    commendations = Commendation.objects.filter(date__year=year)
    reports = MediaReport.objects.filter(date__year=year)
    if subtree:
        commendations = commendations.filter(unit__path__subtree=unit.path)
        reports = reports.filter(unit__path__subtree=unit.path)
    else:
        commendations = commendations.filter(unit=unit)
        reports = reports.filter(unit=unit)
    counts = RecognitionCounts(media_reports=reports.count())
    for level, n in commendations.order_by().values_list("level").annotate(n=Count("id")):
        counts.by_level[level] = n
        counts.commendations += n
    return counts
