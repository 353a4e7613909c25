"""What the self-inspection and review services share: taking an assessment for a change (row
lock and the version the user loaded), recording an event, and keeping the totals."""

from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils import timezone

from jiceng.core.actor import Actor
from jiceng.core.errors import ConflictError

from ..models import Adjustment, Assessment, AssessmentEvent, CampaignRubric, Score
from ..scoring import outcome


def take(assessment: Assessment, expected_lock_version: int | None) -> Assessment:
    """The assessment locked for this transaction (`SELECT … FOR UPDATE`; SQLite's immediate
    transactions serialise writers), refused with `ConflictError` when someone changed it
    after the user loaded `expected_lock_version`. Its version is moved on: of two reviewers
    acting at once, one wins and the other is told."""
    current = (
        Assessment.objects.select_for_update()
        .select_related("unit", "campaign")
        .get(pk=assessment.pk)
    )
    if expected_lock_version is not None and current.lock_version != expected_lock_version:
        raise ConflictError(current=current)
    Assessment.objects.filter(pk=current.pk).update(lock_version=F("lock_version") + 1)
    current.lock_version += 1
    return current


def record(
    assessment: Assessment,
    actor: Actor,
    kind: str,
    *,
    code: str = "",
    value: Decimal | None = None,
    reason: str = "",
    unit: Any = None,
) -> AssessmentEvent:
    user = actor.user
    return AssessmentEvent.objects.create(
        assessment=assessment,
        kind=kind,
        code=code,
        value=value,
        reason=reason,
        round=assessment.round,
        # The acting unit: the user's, or for the system the unit whose step it is.
        unit=unit if unit is not None else (user.unit if user is not None else assessment.unit),
        by=user,
        at=timezone.now(),
    )


def final_scores(assessment: Assessment) -> dict[int, Decimal | None]:
    """Score id → its final score: the highest adjusting level's (the shortest path), else the
    self-score. Two queries."""
    finals: dict[int, Decimal | None] = dict(
        Score.objects.filter(assessment=assessment).values_list("pk", "self_score")
    )
    best: dict[int, int] = {}
    for score_id, value, depth in (
        Adjustment.objects.filter(score__assessment=assessment)
        .order_by()
        .values_list("score_id", "value", "unit__depth")
    ):
        if score_id not in best or depth < best[score_id]:
            best[score_id] = depth
            finals[score_id] = value
    return finals


def refresh_totals(assessment: Assessment, setup: CampaignRubric) -> None:
    """Write every score's final score and the assessment's totals, veto, grade and flag count
    (the caller holds the transaction and the row)."""
    finals = final_scores(assessment)
    scores = list(Score.objects.filter(assessment=assessment).select_related("item"))
    changed = []
    for score in scores:
        final = finals.get(score.pk)
        if score.final_score != final:
            score.final_score = final
            changed.append(score)
    if changed:
        Score.objects.bulk_update(changed, ["final_score"])
    result = outcome(setup, ((s.item, s.self_score, s.final_score, s.flagged) for s in scores))
    assessment.self_total = result.self_total
    assessment.total = result.total
    assessment.vetoed = result.vetoed
    assessment.grade = result.grade
    assessment.flagged = result.flagged
    Assessment.objects.filter(pk=assessment.pk).update(
        self_total=result.self_total,
        total=result.total,
        vetoed=result.vetoed,
        grade=result.grade,
        flagged=result.flagged,
    )
