"""Reads of assessments that pages and the API share, each in a fixed number of queries.

- `sheet(assessment)`: every indicator side by side — rule and basis, self-score, computed
  score and what it came from, each reviewing level's score and reason, the final score,
  evidence, flags. A draft shows its computed indicators live (the unit's figures now); a
  submitted one what was frozen at submission.
- `area_overview(campaign, unit)`: for a unit above the associations, each association in its
  subtree (a page of them) with its assessment's state, and each child area's approval.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import Rank, Substr
from django.utils import timezone

from jiceng.campaigns.models import Campaign
from jiceng.org.models import Level, Unit

from .models import (
    Adjustment,
    AreaApproval,
    Assessment,
    AssessmentEvent,
    AssessmentState,
    CampaignRubric,
    RectificationItem,
    RectificationState,
    RubricItem,
    Score,
    ScoreEvidence,
)
from .rules import RuleKind
from .scoring import compute, describe, is_flagged


@dataclass
class SheetRow:
    item: RubricItem
    score: Score
    computed_score: Decimal | None
    computed_text: str
    flagged: bool
    #: The reviewing levels' scores, by level (city, province, national).
    adjustments: dict[str, Adjustment] = field(default_factory=dict)
    files: list[ScoreEvidence] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.score.code

    @property
    def is_computed(self) -> bool:
        return self.item.rule == RuleKind.COMPUTED


@dataclass
class Sheet:
    assessment: Assessment
    #: Criteria (the items above indicators) by code, for headings.
    criteria: list[RubricItem]
    rows: list[SheetRow]
    #: The reviewing levels with a column, top-down order reversed (city first).
    levels: list[str]

    @property
    def flagged(self) -> int:
        return sum(1 for row in self.rows if row.flagged)


REVIEW_LEVELS = (Level.CITY, Level.PROVINCE, Level.NATIONAL)


def sheet(assessment: Assessment) -> Sheet:
    """The assessment's indicators side by side (five queries)."""
    items = list(RubricItem.objects.filter(rubric_id=assessment.rubric_id).order_by("order"))
    scores = {s.item_id: s for s in Score.objects.filter(assessment=assessment)}
    adjustments: dict[int, dict[str, Adjustment]] = {}
    for adjustment in Adjustment.objects.filter(score__assessment=assessment).select_related(
        "unit"
    ):
        adjustments.setdefault(adjustment.score_id, {})[adjustment.level] = adjustment
    files: dict[int, list[ScoreEvidence]] = {}
    for evidence in ScoreEvidence.objects.filter(score__assessment=assessment):
        files.setdefault(evidence.score_id, []).append(evidence)
    live = (
        compute(assessment.unit, assessment.year, items) if assessment.is_editable_by_unit else {}
    )
    tolerance = assessment.rubric.tolerance
    rows: list[SheetRow] = []
    for item in items:
        score = scores.get(item.pk)
        if score is None or not item.rule:
            continue
        if score.code in live:
            found = live[score.code]
            computed, text = found.score, describe(found.as_json())
            flagged = is_flagged(score.self_score, computed, tolerance)
        else:
            computed, text, flagged = score.computed_score, describe(score.computed), score.flagged
        rows.append(
            SheetRow(
                item=item,
                score=score,
                computed_score=computed,
                computed_text=text,
                flagged=flagged,
                adjustments=adjustments.get(score.pk, {}),
                files=files.get(score.pk, []),
            )
        )
    used = {level for row in rows for level in row.adjustments}
    return Sheet(
        assessment=assessment,
        criteria=[item for item in items if item.depth == 1],
        rows=rows,
        levels=[level for level in REVIEW_LEVELS if level in used],
    )


def history(assessment: Assessment) -> QuerySet[AssessmentEvent]:
    return AssessmentEvent.objects.filter(assessment=assessment).select_related("unit", "by")


def assessment_of(campaign: Campaign, unit: Unit) -> Assessment | None:
    return (
        Assessment.objects.filter(campaign=campaign, unit=unit)
        .select_related("unit__parent", "campaign__unit", "rubric")
        .first()
    )


@dataclass(frozen=True)
class AreaRow:
    unit: Unit
    assessment: Assessment | None


@dataclass(frozen=True)
class ChildArea:
    unit: Unit
    approval: AreaApproval | None
    associations: int
    approved: int


def associations_below(campaign: Campaign, unit: Unit) -> QuerySet[Unit]:
    """The grassroots associations assessed in `campaign` inside `unit`'s subtree."""
    return (
        Unit.objects.subtree(unit)
        .filter(level=Level.GRASSROOTS, path__subtree=campaign.unit.path)
        .select_related("parent")
    )


def area_rows(campaign: Campaign, units: list[Unit]) -> list[AreaRow]:
    """Each of `units` (a page of associations) with its assessment (one query)."""
    found = {a.unit_id: a for a in Assessment.objects.filter(campaign=campaign, unit__in=units)}
    return [AreaRow(unit, found.get(unit.pk)) for unit in units]


def state_counts(campaign: Campaign, unit: Unit) -> dict[str, int]:
    """How many assessments in `unit`'s subtree are in each state, and how many associations
    have none yet (two queries)."""
    counts = dict(
        Assessment.objects.in_subtree(unit)
        .filter(campaign=campaign)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
    )
    expected = associations_below(campaign, unit).count()
    result = {state: int(counts.get(state, 0)) for state in AssessmentState.values}
    result["not_started"] = expected - sum(result.values())
    result["expected"] = expected
    return result


def child_areas(campaign: Campaign, unit: Unit) -> list[ChildArea]:
    """The cities (under a province) or provinces (under the nation) of `unit`, each with its
    area approval and how many of its associations are approved (three queries)."""
    children = list(
        Unit.objects.filter(parent=unit, level__in=[Level.CITY, Level.PROVINCE]).order_by("path")
    )
    if not children:
        return []
    approvals = {
        a.unit_id: a
        for a in AreaApproval.objects.filter(campaign=campaign, unit__in=children).select_related(
            "by_unit"
        )
    }
    length = len(unit.path) + Unit.steplen
    by_path = {child.path: child.pk for child in children}
    expected = {
        by_path[prefix]: n
        for prefix, n in associations_below(campaign, unit)
        .order_by()
        .annotate(prefix=Substr("path", 1, length))
        .values_list("prefix")
        .annotate(n=Count("pk"))
        .values_list("prefix", "n")
        if prefix in by_path
    }
    approved = {
        by_path[prefix]: n
        for prefix, n in Assessment.objects.in_subtree(unit)
        .filter(campaign=campaign, state=AssessmentState.APPROVED)
        .order_by()
        .annotate(prefix=Substr("unit__path", 1, length))
        .values_list("prefix")
        .annotate(n=Count("pk"))
        .values_list("prefix", "n")
        if prefix in by_path
    }
    return [
        ChildArea(
            unit=child,
            approval=approvals.get(child.pk),
            associations=expected.get(child.pk, 0),
            approved=approved.get(child.pk, 0),
        )
        for child in children
    ]


def api_indicator(row: SheetRow) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.item.name,
        "rule": row.item.rule,
        "points": row.item.points,
        "self_score": row.score.self_score,
        "computed_score": row.computed_score,
        "computed_from": row.computed_text or None,
        "final_score": row.score.final_score,
        "flagged": row.flagged,
        "note": row.score.note,
        "returned_reason": row.score.returned_reason or None,
        "adjustments": [
            {"level": level, "score": a.value, "reason": a.reason}
            for level, a in row.adjustments.items()
        ],
        "evidence": len(row.files),
    }


def area_approval(campaign: Campaign, unit: Unit) -> AreaApproval | None:
    """The approval of `unit`'s area (by its parent), if any."""
    return (
        AreaApproval.objects.filter(campaign=campaign, unit=unit).select_related("by_unit").first()
    )


# --- results ----------------------------------------------------------------------------------

#: Score bands of the distribution chart, as a share of the rubric's points: 0–59, 60–69, …
DISTRIBUTION_BANDS = (0, 60, 70, 80, 90)


def ranking(campaign: Campaign, unit: Unit) -> QuerySet[Assessment]:
    """The approved assessments in `unit`'s subtree, ranked (`rank`) — the tie rule:

    - by total, highest first; an assessment failed by a veto ranks after every one that was
      not, whatever its total;
    - equal totals share a rank and the next rank skips (1, 2, 2, 4: standard competition
      ranking), listed within a tie by unit code.

    Read from the assessment rows (their totals are kept as scores change), one window query
    per page; only approved assessments are ranked (a score still under review may move).
    """
    return (
        Assessment.objects.in_subtree(unit)
        .filter(campaign=campaign, state=AssessmentState.APPROVED)
        .annotate(
            rank=Window(Rank(), order_by=[F("vetoed").asc(), F("total").desc(nulls_last=True)])
        )
        .select_related("unit__parent")
        .order_by("rank", "unit__code")
    )


def distribution(campaign: Campaign, unit: Unit) -> list[tuple[str, int]]:
    """How many approved assessments in `unit`'s subtree fall in each score band (the bands as
    a percentage of the rubric's points, bounds shown in points). One query."""
    setup = setup_of(campaign)
    points = setup.rubric.points if setup is not None else Decimal(100)
    bounds = [Decimal(b) * points / 100 for b in DISTRIBUTION_BANDS] + [points + 1]
    counts = (
        Assessment.objects.in_subtree(unit)
        .filter(campaign=campaign, state=AssessmentState.APPROVED)
        .aggregate(
            **{
                f"b{i}": Count("pk", filter=Q(total__gte=bounds[i], total__lt=bounds[i + 1]))
                for i in range(len(DISTRIBUTION_BANDS))
            }
        )
    )
    labels = []
    for i in range(len(DISTRIBUTION_BANDS)):
        low, high = bounds[i], bounds[i + 1]
        top = points if i == len(DISTRIBUTION_BANDS) - 1 else high - Decimal("0.1")
        labels.append((f"{low.normalize():f}–{top.normalize():f}", int(counts[f"b{i}"] or 0)))
    return labels


@dataclass(frozen=True)
class ChildGrades:
    unit: Unit
    grades: dict[str, int]
    approved: int
    average: Decimal | None


def grades_by_child(campaign: Campaign, unit: Unit) -> list[ChildGrades]:
    """For each child of `unit` holding associations (its cities, provinces; for a city its
    associations themselves), how many approved assessments got each grade and their average
    total. Two queries."""
    children = list(
        Unit.objects.filter(
            parent=unit, level__in=[Level.PROVINCE, Level.CITY, Level.GRASSROOTS]
        ).order_by("code")
    )
    if not children:
        return []
    length = len(unit.path) + Unit.steplen
    by_path = {child.path: child for child in children}
    found: dict[int, dict[str, int]] = {child.pk: {} for child in children}
    sums: dict[int, tuple[Decimal, int]] = {}
    for prefix, grade, n, total in (
        Assessment.objects.in_subtree(unit)
        .filter(campaign=campaign, state=AssessmentState.APPROVED)
        .order_by()
        .annotate(prefix=Substr("unit__path", 1, length))
        .values_list("prefix", "grade")
        .annotate(n=Count("pk"), total=Sum("total"))
        .values_list("prefix", "grade", "n", "total")
    ):
        child = by_path.get(prefix)
        if child is None:
            continue
        found[child.pk][grade] = n
        so_far, count = sums.get(child.pk, (Decimal(0), 0))
        sums[child.pk] = (so_far + (total or 0), count + n)
    rows = []
    for child in children:
        total, count = sums.get(child.pk, (Decimal(0), 0))
        rows.append(
            ChildGrades(
                unit=child,
                grades=found[child.pk],
                approved=count,
                average=(total / count).quantize(Decimal("0.1")) if count else None,
            )
        )
    return rows


def setup_of(campaign: Campaign) -> CampaignRubric | None:
    return CampaignRubric.objects.filter(campaign=campaign).select_related("rubric").first()


# --- rectification ----------------------------------------------------------------------------


def today_in_china() -> datetime.date:
    """Deadlines are dates in Asia/Shanghai (the site's time zone)."""
    return timezone.localdate()


def overdue_q(today: datetime.date) -> Q:
    """Rectification items past their deadline and not verified."""
    return Q(deadline__lt=today) & ~Q(state=RectificationState.VERIFIED)


def rectification_items(campaign: Campaign, unit: Unit) -> QuerySet[RectificationItem]:
    """An association's items, open first, then by deadline (files prefetched)."""
    return (
        RectificationItem.objects.filter(campaign=campaign, unit=unit)
        .select_related("created_by_unit", "verified_by_unit")
        .prefetch_related("files")
        .order_by("state", "deadline", "pk")
    )


def overdue_below(campaign: Campaign, unit: Unit) -> QuerySet[RectificationItem]:
    """The overdue items in `unit`'s subtree, the most overdue first."""
    return (
        RectificationItem.objects.in_subtree(unit)
        .filter(campaign=campaign)
        .filter(overdue_q(today_in_china()))
        .select_related("unit__parent")
        .order_by("deadline", "pk")
    )
