"""Self-inspection (自查自评): a grassroots association opens its assessment in a running
campaign, scores each indicator with a note and evidence, and submits. Computed indicators
fill themselves from the unit's figures; at submission they are frozen, and every self-score
the figures contradict beyond the rubric's tolerance is flagged for every reviewer.

Submitting completes the campaign's self-inspection task (`Condition.SELF_INSPECTION_SUBMITTED`,
through the campaign's condition hook)."""

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.campaigns.conditions import condition_changed
from jiceng.campaigns.models import Campaign, Condition
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record, snapshot
from jiceng.core.errors import DomainError, ForbiddenAction
from jiceng.core.files import check_document
from jiceng.core.scope import authorize
from jiceng.org.anchors import anchors_of
from jiceng.org.models import Level, Unit

from ..default_rubric import ensure_default_rubric
from ..models import (
    Assessment,
    AssessmentState,
    CampaignRubric,
    EventKind,
    RubricItem,
    Score,
    ScoreEvidence,
)
from ..rules import RuleKind
from ..scoring import compute, is_flagged, score_range
from .common import record, refresh_totals, take

#: The longest note a self-score keeps.
MAX_NOTE = 2000
#: The most evidence files one indicator keeps.
MAX_FILES = 10


class StateError(DomainError):
    """The assessment is not in a state that allows this (a 409 with a stable code)."""

    code = "wrong_state"
    http_status = 409


def setup_for(campaign: Campaign) -> CampaignRubric:
    """The campaign's assessment set-up: the default rubric and bands unless one was chosen.
    Choosing a rubric freezes it (an edit makes a new version)."""
    setup = CampaignRubric.objects.select_related("rubric").filter(campaign=campaign).first()
    if setup is not None:
        return setup
    rubric = ensure_default_rubric()
    with transaction.atomic():
        setup, _created = CampaignRubric.objects.select_related("rubric").get_or_create(
            campaign=campaign, defaults={"rubric": rubric}
        )
        if setup.rubric.frozen_at is None:
            type(setup.rubric).objects.filter(pk=setup.rubric_id, frozen_at__isnull=True).update(
                frozen_at=timezone.now()
            )
    return setup


def indicators(setup: CampaignRubric) -> list[RubricItem]:
    return list(setup.rubric.items.exclude(rule="").order_by("order"))


def check_assessed(campaign: Campaign, unit: Unit) -> None:
    """`unit` is a grassroots association inside the campaign's scope."""
    if unit.level != Level.GRASSROOTS:
        raise DomainError(
            _("Only grassroots associations are assessed; %(unit)s is not one.")
            % {"unit": unit.name},
            code="not_assessed",
        )
    if not unit.path.startswith(campaign.unit.path):
        raise DomainError(
            _("%(unit)s is outside the campaign's scope.") % {"unit": unit.name},
            code="not_assessed",
        )


def _authorize_self(actor: Actor, unit: Unit) -> None:
    """The association's own people score and submit its self-inspection."""
    authorize(actor, Perm.ASSESSMENT_SELF, unit)
    user = actor.user
    if user is not None and user.unit_id != unit.pk:
        raise ForbiddenAction(_("Only the association itself fills in its self-inspection."))


def assessment_open(*, actor: Actor, campaign: Campaign, unit: Unit) -> Assessment:
    """The unit's assessment in `campaign`, started when it has none: a score row per
    indicator, computed indicators filled from the unit's figures (the self-score starts at
    the computed score). Idempotent: a second call returns the first one's assessment."""
    _authorize_self(actor, unit)
    check_assessed(campaign, unit)
    existing = Assessment.objects.filter(campaign=campaign, unit=unit).first()
    if existing is not None:
        return existing
    if not campaign.is_running:
        raise StateError(_("The campaign is not running."), code="campaign_not_running")
    setup = setup_for(campaign)
    items = indicators(setup)
    computed = compute(unit, campaign.year, items)
    anchors = anchors_of([unit])[unit.pk]
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                campaign=campaign,
                unit=unit,
                province_id=anchors.province_id,
                grassroots_id=anchors.grassroots_id,
                rubric=setup.rubric,
                year=campaign.year,
            )
            Score.objects.bulk_create(
                Score(
                    assessment=assessment,
                    item=item,
                    code=item.code,
                    computed_score=computed[item.code].score if item.code in computed else None,
                    computed=computed[item.code].as_json() if item.code in computed else {},
                    self_score=computed[item.code].score if item.code in computed else None,
                )
                for item in items
            )
            refresh_totals(assessment, setup)
            audit_record(
                actor=actor,
                action="assessments.assessment.open",
                unit=unit,
                obj=assessment,
                after=snapshot(assessment, Assessment.AUDITED_FIELDS),
            )
    except IntegrityError:  # opened by someone else meanwhile
        return Assessment.objects.get(campaign=campaign, unit=unit)
    return assessment


def _editable(assessment: Assessment) -> None:
    if not assessment.is_editable_by_unit:
        raise StateError(
            _("This assessment is %(state)s: the association can no longer change it.")
            % {"state": assessment.get_state_display()},
            code="not_editable",
        )


def parse_score(item: RubricItem, raw: Any, *, field: str) -> Decimal:
    """A score typed for `item`: a number within its range, to one decimal."""
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: _("%(code)s: the score must be a number.") % {"code": item.code}}
        ) from None
    if not value.is_finite():
        raise ValidationError(
            {field: _("%(code)s: the score must be a number.") % {"code": item.code}}
        )
    low, high = score_range(item)
    if not low <= value <= high or value != value.quantize(Decimal("0.1")):
        raise ValidationError(
            {
                field: _(
                    "%(code)s: the score must lie between %(low)s and %(high)s, in steps of 0.1."
                )
                % {"code": item.code, "low": low, "high": high}
            }
        )
    return value


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _score(assessment: Assessment, code: str) -> Score:
    score = Score.objects.select_related("item").filter(assessment=assessment, code=code).first()
    if score is None:
        raise ValidationError({"code": _("The rubric has no indicator %(code)s.") % {"code": code}})
    return score


def score_save(
    *,
    actor: Actor,
    assessment: Assessment,
    code: str,
    self_score: Any,
    note: str = "",
    expected_lock_version: int | None = None,
) -> Score:
    """The association's own score of one indicator, with its note (before submission)."""
    _authorize_self(actor, assessment.unit)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(
            {"note": _("Keep the note under %(count)s characters.") % {"count": MAX_NOTE}}
        )
    with transaction.atomic():
        current = take(assessment, expected_lock_version)
        _editable(current)
        score = _score(current, code)
        value = parse_score(score.item, self_score, field="self_score")
        before = {"self_score": _text(score.self_score), "note": score.note}
        score.self_score = value
        score.note = note
        score.flagged = is_flagged(value, score.computed_score, current.rubric.tolerance)
        score.save(update_fields=["self_score", "note", "flagged"])
        refresh_totals(current, setup_for(current.campaign))
        record(current, actor, EventKind.SELF_SCORE, code=code, value=value, reason=note)
        audit_record(
            actor=actor,
            action="assessments.score.self",
            unit=current.unit,
            obj=current,
            before=before,
            after={"code": code, "self_score": _text(value), "note": note},
        )
    assessment.lock_version = current.lock_version
    return score


def evidence_add(
    *, actor: Actor, assessment: Assessment, code: str, files: Sequence[Any]
) -> list[ScoreEvidence]:
    """Attach evidence files to one indicator (checked by content and size)."""
    _authorize_self(actor, assessment.unit)
    if not files:
        raise ValidationError({"upload": _("Choose at least one file.")})
    for upload in files:
        check_document(upload, field="upload")
    stored: list[ScoreEvidence] = []
    try:
        with transaction.atomic():
            current = take(assessment, None)
            _editable(current)
            score = _score(current, code)
            if score.files.count() + len(files) > MAX_FILES:
                raise ValidationError(
                    {
                        "upload": _("%(code)s keeps at most %(count)s files.")
                        % {"code": code, "count": MAX_FILES}
                    }
                )
            for upload in files:
                name = str(getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
                evidence = ScoreEvidence(score=score, unit=current.unit, name=name[-120:])
                evidence.file.save("upload", upload, save=False)
                stored.append(evidence)
                evidence.save()
            record(
                current,
                actor,
                EventKind.EVIDENCE,
                code=code,
                reason=", ".join(e.name for e in stored),
            )
            audit_record(
                actor=actor,
                action="assessments.evidence.add",
                unit=current.unit,
                obj=current,
                after={"code": code, "files": [e.name for e in stored]},
            )
    except BaseException:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return stored


def evidence_remove(*, actor: Actor, evidence: ScoreEvidence) -> None:
    assessment = evidence.score.assessment
    _authorize_self(actor, assessment.unit)
    with transaction.atomic():
        current = take(assessment, None)
        _editable(current)
        name = evidence.name
        evidence.delete()
        audit_record(
            actor=actor,
            action="assessments.evidence.remove",
            unit=current.unit,
            obj=current,
            before={"code": evidence.score.code, "file": name},
        )
    transaction.on_commit(lambda: evidence.file.delete(save=False))


def _missing(assessment: Assessment, scores: list[Score]) -> dict[str, str]:
    """Per indicator, what keeps the assessment from being submitted."""
    with_files = set(
        ScoreEvidence.objects.filter(score__assessment=assessment).values_list(
            "score__code", flat=True
        )
    )
    problems: dict[str, str] = {}
    for score in scores:
        item = score.item
        if item.rule not in (RuleKind.BONUS, RuleKind.VETO) and score.self_score is None:
            problems[score.code] = _("%(code)s %(name)s: give a score.") % {
                "code": score.code,
                "name": item.name,
            }
        elif item.needs_evidence and score.code not in with_files:
            problems[score.code] = _("%(code)s %(name)s: attach the evidence it asks for.") % {
                "code": score.code,
                "name": item.name,
            }
    return problems


def assessment_submit(
    *, actor: Actor, assessment: Assessment, expected_lock_version: int | None = None
) -> Assessment:
    """Submit the self-inspection: every required indicator scored and evidenced, computed
    indicators recomputed and frozen, flags set; the campaign's self-inspection task is done."""
    _authorize_self(actor, assessment.unit)
    with transaction.atomic():
        current = take(assessment, expected_lock_version)
        _editable(current)
        if not current.campaign.is_running:
            raise StateError(_("The campaign is not running."), code="campaign_not_running")
        scores = list(Score.objects.filter(assessment=current).select_related("item"))
        problems = _missing(current, scores)
        if problems:
            raise ValidationError(problems)
        computed = compute(current.unit, current.year, [s.item for s in scores])
        tolerance = current.rubric.tolerance
        for score in scores:
            found = computed.get(score.code)
            if found is not None:
                score.computed_score = found.score
                score.computed = found.as_json()
            score.flagged = is_flagged(score.self_score, score.computed_score, tolerance)
        Score.objects.bulk_update(scores, ["computed_score", "computed", "flagged"])
        before = snapshot(current, Assessment.AUDITED_FIELDS)
        current.state = AssessmentState.SUBMITTED
        current.submitted_at = timezone.now()
        Assessment.objects.filter(pk=current.pk).update(
            state=current.state, submitted_at=current.submitted_at
        )
        refresh_totals(current, setup_for(current.campaign))
        record(current, actor, EventKind.SUBMIT)
        audit_record(
            actor=actor,
            action="assessments.assessment.submit",
            unit=current.unit,
            obj=current,
            before=before,
            after=snapshot(current, Assessment.AUDITED_FIELDS),
        )
        condition_changed(current.unit, Condition.SELF_INSPECTION_SUBMITTED)
    return current


def submitted_units(unit_ids: Any) -> set[int]:
    """The campaign condition's check: of `unit_ids`, those with a self-inspection submitted (or
    further along) in a running campaign."""
    return set(
        Assessment.objects.filter(
            unit_id__in=list(unit_ids),
            campaign__status="running",
        )
        .exclude(state__in=[AssessmentState.DRAFT, AssessmentState.RETURNED])
        .values_list("unit_id", flat=True)
    )
