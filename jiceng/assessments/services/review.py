"""Review, level by level, with locking (as DHIS2 approves data):

| action | who (`ASSESSMENT_REVIEW`) | state |
| --- | --- | --- |
| adjust an indicator, with a reason | any level above the association | submitted, approved |
| return, with reasons per indicator | the association's parent | submitted → returned |
| approve | the association's parent | submitted → approved |
| unapprove | the parent or a level above | approved → submitted |
| approve an area (city, province) | the area's parent | all inside approved |
| unapprove an area | the area's parent or a level above | — |

An area approval locks everything in the area against anyone inside it: once the province has
approved a city's area, the city can neither adjust, approve nor unapprove there, until the
province (or the nation) withdraws it — one step at a time, since the nation's approval of the
province locks the province's own approvals in turn. Nobody reviews their own unit.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.campaigns.models import Campaign
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record, snapshot
from jiceng.core.errors import DomainError, ForbiddenAction
from jiceng.core.scope import authorize
from jiceng.org.anchors import ancestor_paths
from jiceng.org.models import Level, Unit

from ..models import Adjustment, AreaApproval, Assessment, AssessmentState, EventKind, Score
from .common import record, refresh_totals, take
from .inspection import StateError, parse_score, setup_for

#: The longest reason kept.
MAX_REASON = 2000


def _acting_unit(actor: Actor) -> Unit | None:
    return actor.user.unit if actor.user is not None else None


def _authorize_above(actor: Actor, unit: Unit) -> Unit | None:
    """A reviewer of a level above `unit` (nobody reviews their own unit)."""
    authorize(actor, Perm.ASSESSMENT_REVIEW, unit)
    acting = _acting_unit(actor)
    if acting is not None and acting.pk == unit.pk:
        raise ForbiddenAction(_("Nobody reviews their own unit's assessment."))
    return acting


def _authorize_parent(actor: Actor, unit: Unit) -> Unit | None:
    """A reviewer of `unit`'s parent: the level that approves it."""
    acting = _authorize_above(actor, unit)
    if acting is not None and acting.pk != unit.parent_id:
        raise ForbiddenAction(
            _("Only %(parent)s reviews and approves %(unit)s.")
            % {"parent": unit.parent.name if unit.parent else "—", "unit": unit.name}
        )
    return acting


def lock_over(campaign: Campaign, acting: Unit | None) -> AreaApproval | None:
    """The area approval that locks `acting`'s hands in `campaign`: one of an area that holds
    the acting unit (its own or an ancestor's). None for the system."""
    if acting is None:
        return None
    return (
        AreaApproval.objects.filter(campaign=campaign, unit__path__in=ancestor_paths(acting.path))
        .select_related("unit", "by_unit")
        .first()
    )


def _check_unlocked(campaign: Campaign, acting: Unit | None) -> None:
    lock = lock_over(campaign, acting)
    if lock is not None:
        raise StateError(
            _(
                "%(by)s has approved the area of %(area)s: nothing in it can change until "
                "that approval is withdrawn."
            )
            % {"by": lock.by_unit.name, "area": lock.unit.name},
            code="locked",
        )


def _reason(reason: Any, *, field: str = "reason", what: str = "") -> str:
    text = str(reason or "").strip()
    if not text:
        raise ValidationError(
            {field: _("%(what)sgive a reason.") % {"what": f"{what}: " if what else ""}}
        )
    if len(text) > MAX_REASON:
        raise ValidationError(
            {field: _("Keep the reason under %(count)s characters.") % {"count": MAX_REASON}}
        )
    return text


def _in_state(assessment: Assessment, *states: str) -> None:
    if assessment.state not in states:
        raise StateError(
            _("This assessment is %(state)s; that cannot be done now.")
            % {"state": assessment.get_state_display()},
            code="wrong_state",
        )


def _after(assessment: Assessment, **extra: Any) -> dict[str, Any]:
    return {**snapshot(assessment, Assessment.AUDITED_FIELDS), **extra}


def assessment_adjust(
    *,
    actor: Actor,
    assessment: Assessment,
    code: str,
    score: Any,
    reason: Any,
    expected_lock_version: int | None = None,
) -> Assessment:
    """A reviewing level's score of one indicator, with the mandatory reason (扣分原因)."""
    acting = _authorize_above(actor, assessment.unit)
    with transaction.atomic():
        current = take(assessment, expected_lock_version)
        _in_state(current, AssessmentState.SUBMITTED, AssessmentState.APPROVED)
        _check_unlocked(current.campaign, acting)
        row = Score.objects.select_related("item").filter(assessment=current, code=code).first()
        if row is None:
            raise ValidationError(
                {"code": _("The rubric has no indicator %(code)s.") % {"code": code}}
            )
        value = parse_score(row.item, score, field="score")
        text = _reason(reason, what=code)
        reviewing = acting or current.unit.parent
        assert reviewing is not None  # an association always has a parent
        before = snapshot(current, Assessment.AUDITED_FIELDS)
        Adjustment.objects.update_or_create(
            score=row,
            unit=reviewing,
            defaults={
                "level": reviewing.level,
                "value": value,
                "reason": text,
                "by": actor.user,
                "at": timezone.now(),
            },
        )
        refresh_totals(current, setup_for(current.campaign))
        record(
            current, actor, EventKind.ADJUST, code=code, value=value, reason=text, unit=reviewing
        )
        audit_record(
            actor=actor,
            action="assessments.assessment.adjust",
            unit=current.unit,
            obj=current,
            before=before,
            after=_after(current, code=code, score=str(value)),
        )
    return current


def assessment_return(
    *,
    actor: Actor,
    assessment: Assessment,
    reason: Any,
    indicators: dict[str, Any] | None = None,
    expected_lock_version: int | None = None,
) -> Assessment:
    """Send a submitted assessment back to the association with reasons (per indicator where
    given); it can edit again, in the next round."""
    acting = _authorize_parent(actor, assessment.unit)
    text = _reason(reason)
    per_code = {
        str(code): _reason(why, field="indicators", what=str(code))
        for code, why in (indicators or {}).items()
    }
    with transaction.atomic():
        current = take(assessment, expected_lock_version)
        _in_state(current, AssessmentState.SUBMITTED)
        _check_unlocked(current.campaign, acting)
        known = set(Score.objects.filter(assessment=current).values_list("code", flat=True))
        unknown = sorted(set(per_code) - known)
        if unknown:
            raise ValidationError(
                {"indicators": _("The rubric has no indicator %(code)s.") % {"code": unknown[0]}}
            )
        before = snapshot(current, Assessment.AUDITED_FIELDS)
        by = acting or current.unit.parent
        record(current, actor, EventKind.RETURN, reason=text, unit=by)
        for code, why in per_code.items():
            record(current, actor, EventKind.RETURN, code=code, reason=why, unit=by)
        Score.objects.filter(assessment=current).update(returned_reason="")
        for code, why in per_code.items():
            Score.objects.filter(assessment=current, code=code).update(returned_reason=why)
        current.state = AssessmentState.RETURNED
        current.round += 1
        Assessment.objects.filter(pk=current.pk).update(state=current.state, round=current.round)
        audit_record(
            actor=actor,
            action="assessments.assessment.return",
            unit=current.unit,
            obj=current,
            before=before,
            after=_after(current, reason=text, indicators=per_code),
        )
    return current


def assessment_approve(
    *, actor: Actor, assessment: Assessment, expected_lock_version: int | None = None
) -> Assessment:
    acting = _authorize_parent(actor, assessment.unit)
    with transaction.atomic():
        current = take(assessment, expected_lock_version)
        _in_state(current, AssessmentState.SUBMITTED)
        _check_unlocked(current.campaign, acting)
        before = snapshot(current, Assessment.AUDITED_FIELDS)
        current.state = AssessmentState.APPROVED
        current.approved_at = timezone.now()
        current.approved_by_unit = acting or current.unit.parent
        Assessment.objects.filter(pk=current.pk).update(
            state=current.state,
            approved_at=current.approved_at,
            approved_by_unit=current.approved_by_unit,
        )
        record(current, actor, EventKind.APPROVE, unit=current.approved_by_unit)
        audit_record(
            actor=actor,
            action="assessments.assessment.approve",
            unit=current.unit,
            obj=current,
            before=before,
            after=_after(current),
        )
    return current


def assessment_unapprove(
    *,
    actor: Actor,
    assessment: Assessment,
    reason: Any = "",
    expected_lock_version: int | None = None,
) -> Assessment:
    acting = _authorize_above(actor, assessment.unit)
    with transaction.atomic():
        current = take(assessment, expected_lock_version)
        _in_state(current, AssessmentState.APPROVED)
        _check_unlocked(current.campaign, acting)
        before = snapshot(current, Assessment.AUDITED_FIELDS)
        current.state = AssessmentState.SUBMITTED
        current.approved_at = None
        current.approved_by_unit = None
        Assessment.objects.filter(pk=current.pk).update(
            state=current.state, approved_at=None, approved_by_unit=None
        )
        record(
            current,
            actor,
            EventKind.UNAPPROVE,
            reason=str(reason or "").strip()[:MAX_REASON],
            unit=acting or current.unit.parent,
        )
        audit_record(
            actor=actor,
            action="assessments.assessment.unapprove",
            unit=current.unit,
            obj=current,
            before=before,
            after=_after(current),
        )
    return current


# --- areas ----------------------------------------------------------------------------------------


class AreaNotReady(DomainError):
    code = "area_not_ready"
    http_status = 409


def area_blockers(campaign: Campaign, area: Unit) -> dict[str, int]:
    """What keeps `area` from approval: associations in it (inside the campaign's scope) not
    approved, and cities in it not area-approved. Three counts."""
    associations = Unit.objects.subtree(area).filter(
        level=Level.GRASSROOTS, path__subtree=campaign.unit.path
    )
    expected = associations.count()
    approved = (
        Assessment.objects.in_subtree(area)
        .filter(campaign=campaign, state=AssessmentState.APPROVED)
        .count()
    )
    cities = 0
    if area.level == Level.PROVINCE:
        cities = (
            Unit.objects.subtree(area)
            .filter(level=Level.CITY)
            .exclude(pk__in=AreaApproval.objects.filter(campaign=campaign).values("unit_id"))
            .count()
        )
    return {"associations": expected - approved, "cities": cities}


def _check_area(area: Unit) -> None:
    if area.level not in (Level.CITY, Level.PROVINCE):
        raise DomainError(
            _("Only a city's or a province's area is approved as a whole."), code="not_an_area"
        )


def area_approve(*, actor: Actor, campaign: Campaign, area: Unit) -> AreaApproval:
    """The area's parent approves it as a whole: locked against changes from inside it."""
    _check_area(area)
    acting = _authorize_parent(actor, area)
    with transaction.atomic():
        # Serialise area decisions of one campaign (and against the reviews they count).
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        _check_unlocked(campaign, acting)
        if AreaApproval.objects.filter(campaign=campaign, unit=area).exists():
            raise StateError(
                _("%(area)s is already approved.") % {"area": area.name}, code="already_approved"
            )
        blockers = area_blockers(campaign, area)
        if blockers["associations"] or blockers["cities"]:
            raise AreaNotReady(
                _(
                    "%(area)s cannot be approved yet: %(associations)s associations not "
                    "approved, %(cities)s cities not approved."
                )
                % {"area": area.name, **blockers}
            )
        try:
            with transaction.atomic():
                approval = AreaApproval.objects.create(
                    campaign=campaign,
                    unit=area,
                    by_unit=acting or area.parent,  # type: ignore[misc]  # a city or province
                    by=actor.user,
                    at=timezone.now(),
                )
        except IntegrityError:
            raise StateError(
                _("%(area)s is already approved.") % {"area": area.name}, code="already_approved"
            ) from None
        audit_record(
            actor=actor,
            action="assessments.area.approve",
            unit=area,
            obj=approval,
            after={"campaign": campaign.pk, "area": area.name},
        )
    return approval


def area_unapprove(*, actor: Actor, campaign: Campaign, area: Unit) -> None:
    """The area's parent or a level above withdraws the area's approval (one step)."""
    _check_area(area)
    acting = _authorize_above(actor, area)
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        approval = AreaApproval.objects.filter(campaign=campaign, unit=area).first()
        if approval is None:
            raise StateError(
                _("%(area)s is not approved.") % {"area": area.name}, code="not_approved"
            )
        _check_unlocked(campaign, acting)
        approval.delete()
        audit_record(
            actor=actor,
            action="assessments.area.unapprove",
            unit=area,
            obj=None,
            before={"campaign": campaign.pk, "area": area.name},
        )
