"""The figures of activities, complaints and rules a unit's pages and the assessment read
(`core/figures.py`), each from the roll-up engine's summary rows in one query per level."""

from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from jiceng.core import rollups
from jiceng.core.figures import Figure, Kind, figure
from jiceng.org.models import Unit

from .measures import ACTIVITIES, COMPLAINTS, RECOGNITION, RULES
from .models import ActivityKind, RuleItem


@figure("activities.held", _("Activities held"), Kind.COUNT)
def activities_held(units: Sequence[Unit], year: int) -> dict[int, Figure]:
    counts = rollups.subtree_figures(ACTIVITIES, units=units, year=year)
    return {pk: Figure.count(c.total) for pk, c in counts.items()}


@figure("activities.kinds", _("Kinds of activity held"), Kind.RATIO)
def activity_kinds(units: Sequence[Unit], year: int) -> dict[int, Figure]:
    counts = rollups.subtree_figures(ACTIVITIES, units=units, year=year)
    kinds = len(ActivityKind.values)
    return {pk: Figure.ratio(c.kinds_covered, kinds) for pk, c in counts.items()}


@figure("complaints.resolution_rate", _("Complaints resolved"), Kind.RATIO)
def complaint_resolution(units: Sequence[Unit], year: int) -> dict[int, Figure]:
    stats = rollups.subtree_figures(COMPLAINTS, units=units, year=year)
    return {pk: Figure.ratio(s.handled, s.total) for pk, s in stats.items()}


@figure("complaints.response_hours", _("Average time to first response"), Kind.HOURS)
def complaint_response_hours(units: Sequence[Unit], year: int) -> dict[int, Figure]:
    stats = rollups.subtree_figures(COMPLAINTS, units=units, year=year)
    return {
        pk: Figure.average(
            Decimal(s.response_time.total_seconds()) / 3600, s.responded, kind=Kind.HOURS
        )
        for pk, s in stats.items()
    }


@figure("rules.coverage", _("Rules checklist coverage"), Kind.RATIO, subtree=False)
def rules_coverage(units: Sequence[Unit], year: int) -> dict[int, Figure]:
    """The unit's own documents for active checklist items adopted by the year's end ÷ items."""
    total = RuleItem.objects.filter(is_active=True).count()
    adopted = rollups.own_figures(RULES, units=units, year=year)
    return {pk: Figure.ratio(n, total) for pk, n in adopted.items()}


@figure("recognition.honours", _("Honours received"), Kind.COUNT)
def honours_received(units: Sequence[Unit], year: int) -> dict[int, Figure]:
    counts = rollups.subtree_figures(RECOGNITION, units=units, year=year)
    return {pk: Figure.count(c.honours) for pk, c in counts.items()}


@figure("recognition.media_reports", _("Media reports"), Kind.COUNT)
def media_reports(units: Sequence[Unit], year: int) -> dict[int, Figure]:
    counts = rollups.subtree_figures(RECOGNITION, units=units, year=year)
    return {pk: Figure.count(c.media_reports) for pk, c in counts.items()}
