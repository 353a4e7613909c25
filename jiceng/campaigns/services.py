"""Writes to campaigns: the campaign, its phases, its tasks, local plans and the copy wizard.

Every service authorises the actor (`Perm.CAMPAIGN_MANAGE` on the unit the change belongs to),
validates before it writes (`validation.py`, a `ValidationError` naming the field), writes in
one transaction and records an audit entry. Rules beyond the single fields:

- a closed campaign changes no more;
- a running campaign keeps the work units have done: its phases and tasks are not deleted, a
  task's level and way of completion do not change, and a deadline may be extended but not
  brought forward (local plans still bring deadlines forward for their subtree);
- a local plan (a province or city) adds tasks for the levels below it and may bring a task
  from above forward for its subtree (`task_override_deadline`), never later than the deadline
  set above it; it cannot change or remove a task from above (that unit is outside its area).
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record, snapshot
from jiceng.core.errors import DomainError
from jiceng.core.locking import save_locked
from jiceng.core.scope import authorize
from jiceng.org.models import Unit

from . import validation
from .completion import refresh_on_time
from .conditions import sweep
from .models import (
    MAX_YEAR,
    MIN_YEAR,
    Campaign,
    CampaignStatus,
    CompletionKind,
    Phase,
    Task,
    level_rank,
)

PERM = Perm.CAMPAIGN_MANAGE
#: The fields of a task a running campaign keeps: changing them would orphan work done.
STRUCTURAL_TASK_FIELDS = ("level", "completion", "condition", "phase")


def _refuse_if_closed(campaign: Campaign) -> None:
    if campaign.is_closed:
        raise DomainError(
            _("“%(campaign)s” is closed; it can no longer be changed.")
            % {"campaign": campaign.name},
            code="campaign_closed",
        )


def _refuse_delete_if_running(campaign: Campaign, what: str) -> None:
    if campaign.is_running:
        raise DomainError(
            _(
                "“%(campaign)s” is running: deleting %(what)s would orphan work units have "
                "already done. Extend its deadline or add a new task instead."
            )
            % {"campaign": campaign.name, "what": what},
            code="campaign_running",
        )


def _check_name(*, unit: Unit, year: int, name: str, exclude: int | None = None) -> None:
    if not name.strip():
        raise ValidationError({"name": _("Enter the campaign's name.")})
    clash = Campaign.objects.filter(unit=unit, year=year, name=name.strip())
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError(
            {
                "name": _("%(unit)s already has a campaign named “%(name)s” in %(year)s.")
                % {"unit": unit.name, "name": name.strip(), "year": year}
            }
        )


def _check_year(year: int, field: str = "year") -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {
                field: _("The campaign's year must be between %(min)s and %(max)s.")
                % {"min": MIN_YEAR, "max": MAX_YEAR}
            }
        )


# --- The campaign ------------------------------------------------------------------------------


def campaign_create(*, actor: Actor, unit: Unit, name: str, year: int) -> Campaign:
    """A new draft campaign run by `unit` (the national association or a province)."""
    authorize(actor, PERM, unit)
    validation.check_scope_unit(unit)
    _check_year(year)
    with transaction.atomic():
        _check_name(unit=unit, year=year, name=name)
        campaign = Campaign(unit=unit, name=name.strip(), year=year, created_by=actor.user)
        campaign.full_clean()
        campaign.save()
        audit_record(
            actor=actor,
            action="campaign.create",
            unit=unit,
            obj=campaign,
            after=snapshot(campaign, Campaign.AUDITED_FIELDS),
        )
    return campaign


def campaign_update(
    *, actor: Actor, campaign: Campaign, data: dict[str, Any], expected_lock_version: int
) -> Campaign:
    """Rename the campaign, or move a campaign without phases to another year."""
    authorize(actor, PERM, campaign.unit)
    _refuse_if_closed(campaign)
    for name in data:
        if name not in Campaign.EDITABLE_FIELDS:
            raise ValueError(f"{name} is not an editable campaign field")
    with transaction.atomic():
        before = snapshot(campaign, Campaign.AUDITED_FIELDS)
        year = int(data.get("year", campaign.year))
        if year != campaign.year:
            _check_year(year)
            if campaign.phases.exists():
                raise ValidationError(
                    {
                        "year": _(
                            "The phases of “%(campaign)s” lie in %(year)s. To run it in another "
                            "year, copy it with its dates shifted."
                        )
                        % {"campaign": campaign.name, "year": campaign.year}
                    }
                )
        name = str(data.get("name", campaign.name)).strip()
        _check_name(unit=campaign.unit, year=year, name=name, exclude=campaign.pk)
        campaign.name, campaign.year = name, year
        campaign.full_clean(validate_constraints=False)
        save_locked(campaign, expected_lock_version=expected_lock_version, fields=list(data))
        audit_record(
            actor=actor,
            action="campaign.update",
            unit=campaign.unit,
            obj=campaign,
            before=before,
            after=snapshot(campaign, Campaign.AUDITED_FIELDS),
        )
    return campaign


def _set_status(*, actor: Actor, campaign: Campaign, expected: str, status: str) -> Campaign:
    authorize(actor, PERM, campaign.unit)
    with transaction.atomic():
        current = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if current.status != expected:
            raise DomainError(
                _("“%(campaign)s” has the status “%(status)s”; this step is not possible now.")
                % {"campaign": current.name, "status": current.get_status_display()},
                code="campaign_status",
            )
        if status == CampaignStatus.RUNNING and not current.phases.exists():
            raise DomainError(
                _("Add the phases and tasks of “%(campaign)s” before starting it.")
                % {"campaign": current.name},
                code="campaign_empty",
            )
        Campaign.objects.filter(pk=campaign.pk).update(status=status)
        campaign.status = status
        audit_record(
            actor=actor,
            action="campaign.start" if status == CampaignStatus.RUNNING else "campaign.close",
            unit=campaign.unit,
            obj=campaign,
            before={"status": expected},
            after={"status": status},
        )
    return campaign


def campaign_start(*, actor: Actor, campaign: Campaign) -> Campaign:
    """Draft → running: every level now sees its tasks, and those already meeting a condition
    task's condition have it done (`conditions.sweep`)."""
    with transaction.atomic():
        campaign = _set_status(
            actor=actor,
            campaign=campaign,
            expected=CampaignStatus.DRAFT,
            status=CampaignStatus.RUNNING,
        )
        sweep(campaign)
    return campaign


def campaign_close(*, actor: Actor, campaign: Campaign) -> Campaign:
    """Running → closed: the campaign is kept as it was, for the record and for copying."""
    return _set_status(
        actor=actor,
        campaign=campaign,
        expected=CampaignStatus.RUNNING,
        status=CampaignStatus.CLOSED,
    )


# --- Phases ------------------------------------------------------------------------------------


def _phase_fields(data: dict[str, Any]) -> None:
    for name in data:
        if name not in Phase.EDITABLE_FIELDS:
            raise ValueError(f"{name} is not an editable phase field")
    for name in ("starts", "ends"):
        if name in data and not isinstance(data[name], datetime.date):
            raise ValidationError({name: _("Enter a date.")})


def phase_create(*, actor: Actor, campaign: Campaign, data: dict[str, Any]) -> Phase:
    """Add a phase (`name`, `starts`, `ends`, optionally `order`; appended by default)."""
    authorize(actor, PERM, campaign.unit)
    _refuse_if_closed(campaign)
    _phase_fields(data)
    for name in ("name", "starts", "ends"):
        if not data.get(name):
            raise ValidationError({name: _("This field is required.")})
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        others = list(campaign.phases.all())
        validation.check_phase_window(
            year=campaign.year, starts=data["starts"], ends=data["ends"], others=others
        )
        order = data.get("order") or (max((p.order for p in others), default=0) + 1)
        if any(p.order == order for p in others):
            raise ValidationError({"order": _("Another phase already has this place.")})
        phase = Phase(campaign=campaign, **{**data, "order": order})
        phase.full_clean()
        phase.save()
        audit_record(
            actor=actor,
            action="campaign.phase.create",
            unit=campaign.unit,
            obj=phase,
            after=snapshot(phase, Phase.AUDITED_FIELDS),
        )
    return phase


def phase_update(
    *, actor: Actor, phase: Phase, data: dict[str, Any], expected_lock_version: int
) -> Phase:
    """Rename or re-date a phase; its tasks' deadlines must stay inside its new window."""
    campaign = phase.campaign
    authorize(actor, PERM, campaign.unit)
    _refuse_if_closed(campaign)
    _phase_fields(data)
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        before = snapshot(phase, Phase.AUDITED_FIELDS)
        for name, value in data.items():
            setattr(phase, name, value)
        others = list(campaign.phases.exclude(pk=phase.pk))
        validation.check_phase_window(
            year=campaign.year, starts=phase.starts, ends=phase.ends, others=others
        )
        if any(p.order == phase.order for p in others):
            raise ValidationError({"order": _("Another phase already has this place.")})
        outside = (
            phase.tasks.exclude(deadline__range=(phase.starts, phase.ends))
            .order_by("deadline")
            .first()
        )
        if outside is not None:
            field = "starts" if outside.deadline < phase.starts else "ends"
            raise ValidationError(
                {
                    field: _(
                        "The task “%(task)s” is due on %(deadline)s, outside the new window; "
                        "move its deadline first."
                    )
                    % {"task": outside.title, "deadline": outside.deadline.isoformat()}
                }
            )
        phase.full_clean(validate_constraints=False)
        save_locked(phase, expected_lock_version=expected_lock_version, fields=list(data))
        audit_record(
            actor=actor,
            action="campaign.phase.update",
            unit=campaign.unit,
            obj=phase,
            before=before,
            after=snapshot(phase, Phase.AUDITED_FIELDS),
        )
    return phase


def phase_delete(*, actor: Actor, phase: Phase) -> None:
    """Delete a phase of a draft campaign, with its tasks."""
    campaign = phase.campaign
    authorize(actor, PERM, campaign.unit)
    _refuse_if_closed(campaign)
    _refuse_delete_if_running(campaign, _("a phase"))
    with transaction.atomic():
        before = {**snapshot(phase, Phase.AUDITED_FIELDS), "tasks": phase.tasks.count()}
        Phase.objects.filter(pk=phase.pk).delete()
        audit_record(
            actor=actor,
            action="campaign.phase.delete",
            unit=campaign.unit,
            obj=phase,
            before=before,
            object_repr=str(phase),
        )


# --- Tasks -------------------------------------------------------------------------------------


def _check_task(*, task: Task, campaign: Campaign) -> None:
    validation.check_task_level(owner=task.owner_unit, level=task.level)
    validation.check_deadline_in_phase(phase=task.phase, deadline=task.deadline)
    validation.check_condition(completion=task.completion, condition=task.condition)
    validation.check_document(task=task)
    if not task.title.strip():
        raise ValidationError({"title": _("Enter the task's title.")})
    task.full_clean(exclude=["phase", "owner_unit", "parent_task"], validate_constraints=False)


def task_create(*, actor: Actor, phase: Phase, owner_unit: Unit, data: dict[str, Any]) -> Task:
    """Add a task to `owner_unit`'s plan: the campaign's scope unit for the campaign's own
    tasks, a province or city for its local plan (tasks for the levels below it)."""
    campaign = phase.campaign
    authorize(actor, PERM, owner_unit)
    _refuse_if_closed(campaign)
    for name in data:
        if name not in Task.EDITABLE_FIELDS:
            raise ValueError(f"{name} is not an editable task field")
    validation.check_plan_owner(campaign=campaign, owner=owner_unit)
    if not data.get("deadline"):
        raise ValidationError({"deadline": _("Enter the task's deadline.")})
    task = Task(phase=phase, owner_unit=owner_unit, **data)
    _check_task(task=task, campaign=campaign)
    with transaction.atomic():
        task.save()
        audit_record(
            actor=actor,
            action="campaign.task.create",
            unit=owner_unit,
            obj=task,
            after=snapshot(task, Task.AUDITED_FIELDS),
        )
        if task.completion == CompletionKind.CONDITION or task.document_id:
            sweep(campaign)
    return task


def task_update(
    *, actor: Actor, task: Task, data: dict[str, Any], expected_lock_version: int
) -> Task:
    """Change a task of the actor's plan. A local deadline row changes only its deadline, and
    never past the deadline set above it. While the campaign runs, a deadline may be extended
    but not brought forward, and the level and the way of completion stay."""
    campaign = task.phase.campaign
    authorize(actor, PERM, task.owner_unit)
    _refuse_if_closed(campaign)
    for name in data:
        if name not in Task.EDITABLE_FIELDS:
            raise ValueError(f"{name} is not an editable task field")
    with transaction.atomic():
        before = snapshot(task, Task.AUDITED_FIELDS)
        if task.is_override:
            fixed = next((name for name in data if name != "deadline"), None)
            if fixed is not None:
                raise ValidationError(
                    {fixed: _("A local deadline changes only its deadline; the task is set above.")}
                )
            if "deadline" in data:
                _check_override_deadline(
                    original=task.parent_task,  # type: ignore[arg-type]
                    unit=task.owner_unit,
                    deadline=data["deadline"],
                )
                task.deadline = data["deadline"]
        else:
            if campaign.is_running:
                for name in STRUCTURAL_TASK_FIELDS:
                    if name in data and data[name] != getattr(task, name):
                        raise ValidationError(
                            {
                                name: _(
                                    "“%(campaign)s” is running: changing this would orphan work "
                                    "units have already done. Add a new task instead."
                                )
                                % {"campaign": campaign.name}
                            }
                        )
                if "deadline" in data and data["deadline"] < task.deadline:
                    raise ValidationError(
                        {
                            "deadline": _(
                                "“%(campaign)s” is running: a deadline may be extended, not "
                                "brought forward from %(deadline)s (work done on time would "
                                "turn late)."
                            )
                            % {"campaign": campaign.name, "deadline": task.deadline.isoformat()}
                        }
                    )
            for name, value in data.items():
                setattr(task, name, value)
            _check_task(task=task, campaign=campaign)
        save_locked(task, expected_lock_version=expected_lock_version, fields=list(data))
        if "deadline" in data:
            # Work already done may turn on time (or late, under an earlier local deadline).
            refresh_on_time(task, within=task.owner_unit if task.is_override else None)
        if data.get("document") is not None:
            sweep(campaign)  # units that acknowledged the document already have it done
        audit_record(
            actor=actor,
            action="campaign.task.update",
            unit=task.owner_unit,
            obj=task,
            before=before,
            after=snapshot(task, Task.AUDITED_FIELDS),
        )
    return task


def task_delete(*, actor: Actor, task: Task) -> None:
    """Remove a task (or a local deadline) from the actor's plan while the campaign is a
    draft. A task from above is outside a local plan's area and cannot be removed by it."""
    campaign = task.phase.campaign
    authorize(actor, PERM, task.owner_unit)
    _refuse_if_closed(campaign)
    if not task.is_override:
        _refuse_delete_if_running(campaign, _("a task"))
    with transaction.atomic():
        before = snapshot(task, Task.AUDITED_FIELDS)
        Task.objects.filter(pk=task.pk).delete()
        if task.is_override:  # the deadline above is in force again for the subtree
            refresh_on_time(task.parent_task, within=task.owner_unit)  # type: ignore[arg-type]
        audit_record(
            actor=actor,
            action="campaign.task.delete",
            unit=task.owner_unit,
            obj=task,
            before=before,
            object_repr=str(task),
        )


def _deadline_above(*, original: Task, unit: Unit) -> datetime.date:
    """The deadline in force for `unit`'s subtree before its own plan: the task's, or an
    earlier one a plan between them set."""
    from jiceng.org.anchors import ancestor_paths

    above = [p for p in ancestor_paths(unit.path) if p != unit.path]
    tighter = (
        Task.objects.filter(parent_task=original, owner_unit__path__in=above)
        .order_by("deadline")
        .values_list("deadline", flat=True)
        .first()
    )
    return min(original.deadline, tighter) if tighter else original.deadline


def _check_override_deadline(*, original: Task, unit: Unit, deadline: datetime.date) -> None:
    cap = _deadline_above(original=original, unit=unit)
    if deadline > cap:
        raise ValidationError(
            {
                "deadline": _(
                    "A local deadline may bring “%(task)s” forward, never later than the "
                    "deadline set above (%(cap)s)."
                )
                % {"task": original.title, "cap": cap.isoformat()}
            }
        )
    if deadline < original.phase.starts:
        validation.check_deadline_in_phase(phase=original.phase, deadline=deadline)


def task_override_deadline(
    *, actor: Actor, task: Task, unit: Unit, deadline: datetime.date
) -> Task:
    """`unit`'s local plan brings `task` (from a plan above it) forward for its subtree: the
    local override row, created or moved. Never later than the deadline set above."""
    original = task.parent_task if task.parent_task_id else task
    assert original is not None
    campaign = original.phase.campaign
    authorize(actor, PERM, unit)
    _refuse_if_closed(campaign)
    validation.check_plan_owner(campaign=campaign, owner=unit)
    owner = original.owner_unit
    if unit.pk == owner.pk or not unit.path.startswith(owner.path):
        raise ValidationError(
            {
                "owner_unit": _(
                    "“%(task)s” belongs to the plan of %(owner)s; a local deadline is set by a "
                    "province or city below it."
                )
                % {"task": original.title, "owner": owner.name}
            }
        )
    if level_rank(original.level) <= level_rank(unit.level):
        raise ValidationError(
            {
                "owner_unit": _(
                    "“%(task)s” is for %(level)s units; %(unit)s can bring forward only tasks "
                    "for the levels below it."
                )
                % {"task": original.title, "level": original.get_level_display(), "unit": unit.name}
            }
        )
    with transaction.atomic():
        _check_override_deadline(original=original, unit=unit, deadline=deadline)
        row = Task.objects.select_for_update().filter(parent_task=original, owner_unit=unit).first()
        before = snapshot(row, Task.AUDITED_FIELDS) if row is not None else None
        if row is None:
            row = Task(
                phase=original.phase,
                level=original.level,
                title=original.title,
                description=original.description,
                completion=original.completion,
                condition=original.condition,
                owner_unit=unit,
                parent_task=original,
                deadline=deadline,
            )
            row.save()
        else:
            row.deadline = deadline
            save_locked(row, expected_lock_version=row.lock_version, fields=["deadline"])
        refresh_on_time(original, within=unit)
        audit_record(
            actor=actor,
            action="campaign.task.override",
            unit=unit,
            obj=row,
            before=before,
            after=snapshot(row, Task.AUDITED_FIELDS),
        )
    return row


# --- The wizard's engine -----------------------------------------------------------------------


def shift_years(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later (or earlier); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def campaign_copy(
    *,
    actor: Actor,
    source: Campaign,
    year_shift: int,
    name: str,
    include_local: bool = False,
) -> Campaign:
    """A new draft campaign of the same scope unit from `source`: its phases and its own tasks
    (with `include_local`, the local plans' tasks and deadlines too), every date shifted by
    `year_shift` whole years, `copied_from` set. Set-based: a few statements whatever the size."""
    authorize(actor, PERM, source.unit)
    year = source.year + year_shift
    _check_year(year, field="year_shift")
    with transaction.atomic():
        _check_name(unit=source.unit, year=year, name=name)
        phases = list(source.phases.order_by("order"))
        shifted = [
            Phase(
                name=p.name,
                order=p.order,
                starts=shift_years(p.starts, year_shift),
                ends=shift_years(p.ends, year_shift),
            )
            for p in phases
        ]
        for i, phase in enumerate(shifted):
            validation.check_phase_window(
                year=year, starts=phase.starts, ends=phase.ends, others=shifted[:i]
            )
        copy = Campaign(
            unit=source.unit,
            name=name.strip(),
            year=year,
            copied_from=source,
            created_by=actor.user,
        )
        copy.save()
        for phase in shifted:
            phase.campaign = copy
        Phase.objects.bulk_create(shifted)
        new_phase = {old.pk: new for old, new in zip(phases, shifted, strict=True)}

        tasks = Task.objects.filter(phase__campaign=source).order_by("pk")
        if not include_local:
            tasks = tasks.filter(owner_unit=source.unit)
        originals = [t for t in tasks if t.parent_task_id is None]
        overrides = [t for t in tasks if t.parent_task_id is not None]

        def clone(task: Task, parent: Task | None = None) -> Task:
            return Task(
                phase=new_phase[task.phase_id],
                level=task.level,
                title=task.title,
                description=task.description,
                deadline=shift_years(task.deadline, year_shift),
                completion=task.completion,
                condition=task.condition,
                owner_unit_id=task.owner_unit_id,
                parent_task=parent,
            )

        copies = [clone(t) for t in originals]
        Task.objects.bulk_create(copies)
        by_source = {old.pk: new for old, new in zip(originals, copies, strict=True)}
        Task.objects.bulk_create([clone(t, by_source[t.parent_task_id]) for t in overrides])  # type: ignore[index]
        audit_record(
            actor=actor,
            action="campaign.copy",
            unit=source.unit,
            obj=copy,
            after={
                **snapshot(copy, Campaign.AUDITED_FIELDS),
                "source": str(source),
                "year_shift": year_shift,
                "phases": len(shifted),
                "tasks": len(copies) + len(overrides),
            },
        )
    return copy
