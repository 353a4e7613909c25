"""Reads of recognition: honours and media reports, and their counts per year."""

from django.db.models import QuerySet

from jiceng.core import rollups
from jiceng.core.rollups import Rollup
from jiceng.core.scope import in_subtree
from jiceng.org.models import Unit

from ..measures import RECOGNITION, RecognitionCounts
from ..models import Honour, MediaReport


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
    sub-units (`subtree=False`: its own only), from the summary rows: one query. The figures
    standard 9 (recognised) rests on."""
    if subtree:
        return rollups.total(RECOGNITION, unit=unit, year=year)
    return rollups.own_figures(RECOGNITION, units=[unit], year=year)[unit.pk]


def recognition_rollup(*, unit: Unit, year: int) -> Rollup[RecognitionCounts]:
    """The year's honours and media reports for the subtree, the unit's own and each child's
    subtree: two queries over summary rows."""
    return rollups.read(RECOGNITION, unit=unit, year=year)
