"""Rectification (问题清单 / 整改台账): a problem found in an association becomes an item with
an owner, a deadline and measures; the association closes it with proof; the level above
verifies it — accepts it, or sends it back to be fixed again.

| action | who | state |
| --- | --- | --- |
| record one found in self-inspection | the association (`ASSESSMENT_SELF`) | → open |
| record one found in review, on site or earlier | a level above (`ASSESSMENT_REVIEW`) | → open |
| edit it | whoever may record it | open |
| close it, with measures and proof (files) | the association itself | open → closed |
| accept | a level above, never the association | closed → verified |
| send back, with a reason | a level above | closed → open |

An item not verified by its deadline (a date in Asia/Shanghai) is overdue: shown on the
association's tab and its parents', and reminded through the notification centre
(`assessments/reminders.py`). Once verified, the indicator it concerns can be re-scored by a
reviewer (`assessment_adjust`, with its reason).
"""

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.campaigns.models import Campaign
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record, snapshot
from jiceng.core.errors import ConflictError, ForbiddenAction
from jiceng.core.files import check_document
from jiceng.core.locking import save_locked
from jiceng.core.scope import authorize
from jiceng.org.anchors import anchors_of
from jiceng.org.models import Unit

from ..models import (
    ProblemSource,
    RectificationFile,
    RectificationItem,
    RectificationState,
    RubricItem,
)
from .inspection import StateError, check_assessed, setup_for

MAX_TEXT = 2000
MAX_FILES = 10
#: Fields a page or a caller gives when recording or editing an item.
FIELDS = ("code", "source", "description", "owner", "deadline", "measures")


def _is_own(actor: Actor, unit: Unit) -> bool:
    return actor.user is not None and actor.user.unit_id == unit.pk


def _authorize_record(actor: Actor, unit: Unit, source: str) -> Unit:
    """The association records what it found itself; a level above what its review, on-site
    check or investigation found. Returns the recording unit."""
    if actor.user is None:
        return unit.parent if source != ProblemSource.SELF_INSPECTION and unit.parent else unit
    if _is_own(actor, unit):
        authorize(actor, Perm.ASSESSMENT_SELF, unit)
        if source != ProblemSource.SELF_INSPECTION:
            raise ValidationError(
                {"source": _("An association records what its own self-inspection found.")}
            )
        return unit
    authorize(actor, Perm.ASSESSMENT_REVIEW, unit)
    return actor.user.unit


def _clean(campaign: Campaign, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {name: data.get(name) for name in FIELDS}
    for name in ("description", "owner", "measures", "code"):
        clean[name] = str(clean[name] or "").strip()
    if not clean["description"]:
        errors["description"] = _("Describe the problem.")
    elif len(clean["description"]) > MAX_TEXT:
        errors["description"] = _("Keep it under %(count)s characters.") % {"count": MAX_TEXT}
    if not clean["owner"]:
        errors["owner"] = _("Name who is responsible for fixing it.")
    elif len(clean["owner"]) > 50:
        errors["owner"] = _("Keep it under %(count)s characters.") % {"count": 50}
    if len(clean["measures"]) > MAX_TEXT:
        errors["measures"] = _("Keep it under %(count)s characters.") % {"count": MAX_TEXT}
    if clean["source"] not in ProblemSource.values:
        errors["source"] = _("Choose where the problem was found.")
    deadline = clean["deadline"]
    if not isinstance(deadline, datetime.date):
        errors["deadline"] = _("Give the date by which it must be fixed.")
    if clean["code"]:
        rubric = setup_for(campaign).rubric
        if (
            not RubricItem.objects.filter(rubric=rubric, code=clean["code"])
            .exclude(rule="")
            .exists()
        ):
            errors["code"] = _("The rubric has no indicator %(code)s.") % {"code": clean["code"]}
    if errors:
        raise ValidationError(errors)
    return clean


def rectification_create(
    *, actor: Actor, campaign: Campaign, unit: Unit, data: dict[str, Any]
) -> RectificationItem:
    check_assessed(campaign, unit)
    by = _authorize_record(actor, unit, str(data.get("source") or ""))
    clean = _clean(campaign, data)
    anchors = anchors_of([unit])[unit.pk]
    with transaction.atomic():
        item = RectificationItem.objects.create(
            campaign=campaign,
            unit=unit,
            province_id=anchors.province_id,
            grassroots_id=anchors.grassroots_id,
            created_by_unit=by,
            **clean,
        )
        audit_record(
            actor=actor,
            action="assessments.rectification.create",
            unit=unit,
            obj=item,
            after=snapshot(item, RectificationItem.AUDITED_FIELDS),
        )
    return item


def rectification_update(
    *, actor: Actor, item: RectificationItem, data: dict[str, Any], expected_lock_version: int
) -> RectificationItem:
    _authorize_record(actor, item.unit, str(data.get("source") or item.source))
    if item.state != RectificationState.OPEN:
        raise StateError(_("Only an item being rectified can be edited."), code="wrong_state")
    clean = _clean(item.campaign, data)
    before = snapshot(item, RectificationItem.AUDITED_FIELDS)
    for name, value in clean.items():
        setattr(item, name, value)
    with transaction.atomic():
        _save(item, expected_lock_version, list(FIELDS))
        audit_record(
            actor=actor,
            action="assessments.rectification.update",
            unit=item.unit,
            obj=item,
            before=before,
            after=snapshot(item, RectificationItem.AUDITED_FIELDS),
        )
    return item


def _save(item: RectificationItem, expected_lock_version: int, fields: list[str]) -> None:
    """`save_locked`; on a conflict the caller's instance is reloaded, so that it shows the
    newer state rather than the change that was refused."""
    try:
        save_locked(item, expected_lock_version=expected_lock_version, fields=fields)
    except ConflictError:
        item.refresh_from_db()
        raise


def _display_name(upload: Any) -> str:
    return str(getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][-120:]


def rectification_close(
    *,
    actor: Actor,
    item: RectificationItem,
    measures: str,
    files: Sequence[Any],
    expected_lock_version: int,
) -> RectificationItem:
    """The association closes the item: what it did (measures) and proof (at least one file)."""
    authorize(actor, Perm.ASSESSMENT_SELF, item.unit)
    if actor.user is not None and not _is_own(actor, item.unit):
        raise ForbiddenAction(_("Only the association itself closes its rectification items."))
    if item.state != RectificationState.OPEN:
        raise StateError(_("Only an item being rectified can be closed."), code="wrong_state")
    measures = str(measures or "").strip()
    errors: dict[str, str] = {}
    if not measures:
        errors["measures"] = _("Say what was done to fix it.")
    elif len(measures) > MAX_TEXT:
        errors["measures"] = _("Keep it under %(count)s characters.") % {"count": MAX_TEXT}
    if not files:
        errors["upload"] = _("Attach proof that it is fixed (a photo or a document).")
    elif len(files) + item.files.count() > MAX_FILES:
        errors["upload"] = _("Attach at most %(count)s files.") % {"count": MAX_FILES}
    if errors:
        raise ValidationError(errors)
    for upload in files:
        check_document(upload, field="upload")
    stored: list[RectificationFile] = []
    before = snapshot(item, RectificationItem.AUDITED_FIELDS)
    try:
        with transaction.atomic():
            item.measures = measures
            item.state = RectificationState.CLOSED
            item.closed_at = timezone.now()
            _save(item, expected_lock_version, ["measures", "state", "closed_at"])
            for upload in files:
                proof = RectificationFile(item=item, unit=item.unit, name=_display_name(upload))
                proof.file.save("upload", upload, save=False)
                stored.append(proof)
                proof.save()
            audit_record(
                actor=actor,
                action="assessments.rectification.close",
                unit=item.unit,
                obj=item,
                before=before,
                after={
                    **snapshot(item, RectificationItem.AUDITED_FIELDS),
                    "files": [p.name for p in stored],
                },
            )
    except BaseException:
        for proof in stored:
            proof.file.delete(save=False)
        raise
    return item


def rectification_verify(
    *,
    actor: Actor,
    item: RectificationItem,
    accept: bool,
    reason: str = "",
    expected_lock_version: int,
) -> RectificationItem:
    """The level above accepts the closure, or sends it back with a reason."""
    authorize(actor, Perm.ASSESSMENT_REVIEW, item.unit)
    if actor.user is not None and _is_own(actor, item.unit):
        raise ForbiddenAction(_("The level above verifies a rectification, not the association."))
    if item.state != RectificationState.CLOSED:
        raise StateError(_("Only a closed item can be verified."), code="wrong_state")
    reason = str(reason or "").strip()
    if not accept and not reason:
        raise ValidationError({"reason": _("Say why it is sent back.")})
    if len(reason) > MAX_TEXT:
        raise ValidationError(
            {"reason": _("Keep it under %(count)s characters.") % {"count": MAX_TEXT}}
        )
    before = snapshot(item, RectificationItem.AUDITED_FIELDS)
    by = actor.user.unit if actor.user is not None else item.unit.parent
    if accept:
        item.state = RectificationState.VERIFIED
        item.verified_at = timezone.now()
        item.verified_by_unit = by
        item.sent_back_reason = ""
    else:
        item.state = RectificationState.OPEN
        item.closed_at = None
        item.sent_back_reason = reason
    with transaction.atomic():
        _save(
            item,
            expected_lock_version,
            ["state", "verified_at", "verified_by_unit", "sent_back_reason", "closed_at"],
        )
        audit_record(
            actor=actor,
            action=(
                "assessments.rectification.accept"
                if accept
                else "assessments.rectification.send_back"
            ),
            unit=item.unit,
            obj=item,
            before=before,
            after={**snapshot(item, RectificationItem.AUDITED_FIELDS), "reason": reason},
        )
    return item
