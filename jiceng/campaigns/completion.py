"""Completing the campaign's tasks: a unit does a task (who, when, the evidence), or a unit
above it waives the task for it with a reason; either can be reopened.

- A unit completes only the tasks for its level, of a running campaign whose scope it lies in
  (and, for a local plan's task, inside the subtree of the unit whose plan added it):
  `Perm.CAMPAIGN_REPORT` on the unit.
- A task is waived (and a waiver reopened) by the unit's parent or a unit above it:
  `Perm.CAMPAIGN_MANAGE` on the parent, with a reason.
- On time: done on or before the deadline in force for the unit (`selectors.tasks_for_unit`),
  as a date in Asia/Shanghai. When a deadline moves (`services.task_update`,
  `task_override_deadline`, removing a local deadline) `refresh_on_time` re-judges the
  completions it concerns.

Every write moves the `campaign_tasks` province totals by its delta (`measures.py`) inside its
transaction and is audited.
"""

import datetime
import json
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.core import rollups
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record, snapshot
from jiceng.core.errors import DomainError, ForbiddenAction
from jiceng.core.files import check_document, check_photo
from jiceng.core.scope import authorize
from jiceng.org.anchors import ancestor_paths, anchors_of
from jiceng.org.models import Unit

from .measures import completion_delta, deadline_in_force, is_on_time
from .models import (
    CompletionKind,
    CompletionState,
    EvidenceFile,
    Task,
    TaskCompletion,
)

#: The most evidence (as JSON) a form or meeting task keeps; files are `EvidenceFile` rows.
MAX_EVIDENCE_BYTES = 20_000
#: The most files one completion keeps.
MAX_EVIDENCE_FILES = 5
#: Ids per `IN (…)` list (SQLite allows 32,766 parameters a statement).
BATCH = 10_000


def _display_name(upload: Any) -> str:
    """The uploaded name without any path, for showing and as the download name only."""
    name = str(getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name[-120:]


def _original(task: Task) -> Task:
    """The task itself, also when given one of its local deadline rows."""
    return task.parent_task if task.parent_task_id else task  # type: ignore[return-value]


def deadline_for(task: Task, unit: Unit) -> datetime.date:
    """The deadline in force for `unit`: the task's, or an earlier local one set above it (one
    query)."""
    above = [p for p in ancestor_paths(unit.path) if p != unit.path]
    overrides = Task.objects.filter(parent_task=task, owner_unit__path__in=above).values_list(
        "owner_unit__path", "deadline"
    )
    return deadline_in_force(task.deadline, list(overrides), unit.path)


def _check_applies(task: Task, unit: Unit) -> None:
    """The campaign runs, and the task is one `unit` must do."""
    campaign = task.phase.campaign
    if not campaign.is_running:
        raise DomainError(
            _("“%(campaign)s” is not running; its tasks cannot be completed or waived now.")
            % {"campaign": campaign.name},
            code="campaign_not_running",
        )
    if unit.level != task.level:
        raise ValidationError(
            {
                "unit": _("“%(task)s” is for %(level)s units; %(unit)s is not one.")
                % {"task": task.title, "level": task.get_level_display(), "unit": unit.name}
            }
        )
    if not unit.path.startswith(campaign.unit.path) or not unit.path.startswith(
        task.owner_unit.path
    ):
        raise ValidationError(
            {
                "unit": _("%(unit)s is outside the area of “%(task)s”.")
                % {"unit": unit.name, "task": task.title}
            }
        )


def _locked_state(task: Task, unit: Unit) -> TaskCompletion | None:
    return TaskCompletion.objects.select_for_update().filter(task=task, unit=unit).first()


def _refuse_existing(current: TaskCompletion | None, task: Task, unit: Unit) -> None:
    if current is None:
        return
    if current.state == CompletionState.DONE:
        raise DomainError(
            _("%(unit)s has already done “%(task)s”.") % {"unit": unit.name, "task": task.title},
            code="already_done",
        )
    raise DomainError(
        _("“%(task)s” is waived for %(unit)s.") % {"unit": unit.name, "task": task.title},
        code="already_waived",
    )


def _check_evidence(evidence: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(evidence, dict):
        raise ValidationError({"evidence": _("The evidence must be a set of named fields.")})
    try:
        encoded = json.dumps(evidence, ensure_ascii=False)
    except (TypeError, ValueError):
        raise ValidationError(
            {"evidence": _("The evidence may hold only text and numbers.")}
        ) from None
    if len(encoded.encode()) > MAX_EVIDENCE_BYTES:
        raise ValidationError(
            {
                "evidence": _("The evidence is too long (at most %(size)s bytes).")
                % {"size": MAX_EVIDENCE_BYTES}
            }
        )
    return dict(json.loads(encoded))


def _new_row(task: Task, unit: Unit, **fields: Any) -> TaskCompletion:
    anchors = anchors_of([unit])[unit.pk]
    return TaskCompletion.objects.create(
        task=task,
        unit=unit,
        year=task.phase.campaign.year,
        province_id=anchors.province_id,
        grassroots_id=anchors.grassroots_id,
        **fields,
    )


def task_complete(
    *,
    actor: Actor,
    task: Task,
    unit: Unit,
    evidence: dict[str, Any] | None = None,
    files: Sequence[Any] = (),
    done_at: datetime.datetime | None = None,
) -> TaskCompletion:
    """`unit` has done `task`. `done_at` is now unless a system caller reports when a condition
    was met. Completing a task already done is refused (`already_done`).

    `files` are the evidence files: a document task needs at least one document (PDF, Word,
    Excel or a scan), a meeting may come with photos; at most `MAX_EVIDENCE_FILES`, each
    checked by content (`core/files.py`). A file stored before the transaction fails is
    removed again."""
    task = _original(task)
    authorize_report(actor, unit)
    _check_applies(task, unit)
    clean = _check_evidence(evidence or {})
    _check_files(task, files)
    done_at = done_at or timezone.now()
    stored: list[EvidenceFile] = []
    try:
        return _complete(actor, task, unit, clean, files, done_at, stored)
    except BaseException:
        for item in stored:
            item.file.delete(save=False)
        raise


def _check_files(task: Task, files: Sequence[Any]) -> None:
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError(
            {"files": _("Attach at most %(count)s files.") % {"count": MAX_EVIDENCE_FILES}}
        )
    if task.completion == CompletionKind.DOCUMENT and not files:
        raise ValidationError({"files": _("Upload the document that shows this task is done.")})
    if files and task.completion not in (CompletionKind.DOCUMENT, CompletionKind.MEETING):
        raise ValidationError({"files": _("This task takes no files.")})
    for upload in files:
        if task.completion == CompletionKind.MEETING:
            check_photo(upload, field="files")
        else:
            check_document(upload, field="files")


def _complete(
    actor: Actor,
    task: Task,
    unit: Unit,
    clean: dict[str, Any],
    files: Sequence[Any],
    done_at: datetime.datetime,
    stored: list[EvidenceFile],
) -> TaskCompletion:
    with transaction.atomic():
        _refuse_existing(_locked_state(task, unit), task, unit)
        on_time = is_on_time(done_at, deadline_for(task, unit))
        row = _new_row(
            task,
            unit,
            state=CompletionState.DONE,
            done_at=done_at,
            done_by=actor.user,
            on_time=on_time,
            evidence=clean,
        )
        for upload in files:
            item = EvidenceFile(completion=row, unit=unit, name=_display_name(upload))
            item.file.save("upload", upload, save=False)
            stored.append(item)
            item.save()
        completion_delta(
            unit_id=unit.pk,
            task_id=task.pk,
            year=task.phase.campaign.year,
            state=row.state,
            on_time=on_time,
            sign=1,
        )
        audit_record(
            actor=actor,
            action="campaign.task.complete",
            unit=unit,
            obj=row,
            after={
                **snapshot(row, TaskCompletion.AUDITED_FIELDS),
                "files": [item.name for item in stored],
            },
        )
    return row


def authorize_report(actor: Actor, unit: Unit) -> None:
    """`Perm.CAMPAIGN_REPORT` on the unit: its own staff, or an admin above it."""
    authorize(actor, Perm.CAMPAIGN_REPORT, unit)


def _authorize_parent(actor: Actor, unit: Unit) -> None:
    """`Perm.CAMPAIGN_MANAGE` on the unit's parent: the parent or a unit above it decides."""
    parent = unit.parent
    if parent is None:
        raise ForbiddenAction(_("Only a unit above %(unit)s may do this.") % {"unit": unit.name})
    authorize(actor, Perm.CAMPAIGN_MANAGE, parent)


def task_waive(*, actor: Actor, task: Task, unit: Unit, reason: str) -> TaskCompletion:
    """The parent (or a unit above it) excuses `unit` from `task`, with a reason."""
    task = _original(task)
    _authorize_parent(actor, unit)
    _check_applies(task, unit)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for waiving the task.")})
    with transaction.atomic():
        _refuse_existing(_locked_state(task, unit), task, unit)
        row = _new_row(
            task,
            unit,
            state=CompletionState.WAIVED,
            waived_at=timezone.now(),
            waived_by=actor.user,
            waived_reason=reason,
        )
        completion_delta(
            unit_id=unit.pk,
            task_id=task.pk,
            year=task.phase.campaign.year,
            state=row.state,
            on_time=False,
            sign=1,
        )
        audit_record(
            actor=actor,
            action="campaign.task.waive",
            unit=unit,
            obj=row,
            after=snapshot(row, TaskCompletion.AUDITED_FIELDS),
        )
    return row


def task_reopen(*, actor: Actor, task: Task, unit: Unit) -> None:
    """Undo a completion (by the unit itself, or above it) or a waiver (by the parent or
    above): the task is not done again."""
    task = _original(task)
    with transaction.atomic():
        current = _locked_state(task, unit)
        if current is None:
            raise DomainError(
                _("%(unit)s has neither done “%(task)s” nor had it waived.")
                % {"unit": unit.name, "task": task.title},
                code="not_done",
            )
        if current.state == CompletionState.WAIVED:
            _authorize_parent(actor, unit)
        else:
            authorize_report(actor, unit)
        campaign = task.phase.campaign
        if not campaign.is_running:
            raise DomainError(
                _("“%(campaign)s” is not running; its tasks cannot be completed or waived now.")
                % {"campaign": campaign.name},
                code="campaign_not_running",
            )
        before = snapshot(current, TaskCompletion.AUDITED_FIELDS)
        files = list(current.files.all())
        TaskCompletion.objects.filter(pk=current.pk).delete()
        for item in files:
            transaction.on_commit(partial(item.file.storage.delete, str(item.file.name)))
        completion_delta(
            unit_id=unit.pk,
            task_id=task.pk,
            year=campaign.year,
            state=current.state,
            on_time=current.on_time,
            sign=-1,
        )
        audit_record(
            actor=actor,
            action="campaign.task.reopen",
            unit=unit,
            obj=current,
            before=before,
            object_repr=str(current),
        )


def refresh_on_time(task: Task, *, within: Unit | None = None) -> int:
    """Re-judge on time for the completions of `task` (in `within`'s subtree, or all) after a
    deadline moved, moving the summary rows of those that changed. Returns how many changed.
    Set-based: two reads, and two updates per direction and batch of units."""
    task = _original(task)
    overrides = list(
        Task.objects.filter(parent_task=task).values_list("owner_unit__path", "deadline")
    )
    done = TaskCompletion.objects.filter(task=task, state=CompletionState.DONE)
    if within is not None:
        done = done.filter(unit__path__subtree=within.path)
    now_on_time: list[tuple[int, int]] = []
    now_late: list[tuple[int, int]] = []
    for pk, province_id, path, done_at, was in done.values_list(
        "pk", "province_id", "unit__path", "done_at", "on_time"
    ):
        is_now = is_on_time(done_at, deadline_in_force(task.deadline, overrides, path))
        if is_now != was:
            (now_on_time if is_now else now_late).append((pk, province_id))
    provinces: set[int | None] = set()
    for changed, flag in ((now_on_time, True), (now_late, False)):
        for start in range(0, len(changed), BATCH):
            batch = changed[start : start + BATCH]
            TaskCompletion.objects.filter(pk__in=[pk for pk, _province in batch]).update(
                on_time=flag
            )
            provinces.update(province for _pk, province in batch)
    if provinces:
        # The completions' counts follow `on_time` (generated columns); their provinces'
        # totals are summed afresh.
        rollups.refresh_totals(
            TaskCompletion, provinces=provinces, years=[task.phase.campaign.year]
        )
    return len(now_on_time) + len(now_late)


def follow_unit_move(*, unit: Unit, **_signal: object) -> None:
    """After `unit` moved in the tree (`org.anchors.unit_moved`; the anchors of completions and
    summary rows are already rewritten): other local plans may be in force above it now, so on
    time is judged afresh for the tasks done inside it that have local deadlines."""
    unit = Unit.objects.get(pk=unit.pk)
    task_ids = (
        TaskCompletion.objects.filter(
            unit__path__subtree=unit.path,
            state=CompletionState.DONE,
            task__overrides__isnull=False,
        )
        .order_by()
        .values_list("task_id", flat=True)
        .distinct()
    )
    for task in Task.objects.filter(pk__in=list(task_ids)).select_related("phase__campaign"):
        refresh_on_time(task, within=unit)
