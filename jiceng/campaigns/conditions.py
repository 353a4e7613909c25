"""Tasks another part of the system completes: a *condition* (`Condition`) is a fact about a
unit that an app reports — the leading group recorded with a leader and an office now; later a
self-inspection submitted, a survey quota reached.

- Each condition registers a **check** (`register_check`): given units, the ids of those that
  meet it, in one query.
- The app that owns the fact calls `condition_changed(unit, code)` after a change (the tree app
  sends `org.signals.profile_changed`, connected in `apps.py`, so it knows nothing of
  campaigns). Every open task of a running campaign that the unit must do and that waits on
  `code` is completed by the system, with the condition as its evidence.
- An **acknowledge task** naming a document (`Task.document`) is completed the same way when a
  unit acknowledges that document or a forward of it (签收): the documents app sends
  `documents.signals.document_acknowledged` inside its transaction, and the task is done at the
  moment of the acknowledgement (so on time or late against the task's deadline).
- `sweep(campaign)` completes them for every unit already meeting a condition or having
  acknowledged the document — when a campaign starts and when such a task is added or linked
  to its document, so a fact recorded before the task existed counts too.

A condition met and later undone (the leader removed) does not reopen the task: the task was
done when it was met. Reopening stays a person's decision (`completion.task_reopen`).
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Q

from jiceng.core.actor import Actor
from jiceng.org.models import Unit
from jiceng.org.models.profile import LeadingGroupMember, LeadingGroupRole

from . import selectors
from .completion import task_complete
from .models import CampaignStatus, CompletionKind, Condition, Task, TaskCompletion

Check = Callable[[Iterable[int]], set[int]]

_CHECKS: dict[str, Check] = {}
#: Units per check query (SQLite allows 32,766 parameters a statement).
BATCH = 10_000


def register_check(code: str, check: Check) -> None:
    _CHECKS[code] = check


def meets(code: str, unit_ids: Iterable[int]) -> set[int]:
    """The ids among `unit_ids` that meet condition `code`."""
    ids = list(unit_ids)
    met: set[int] = set()
    for start in range(0, len(ids), BATCH):
        met |= _CHECKS[code](ids[start : start + BATCH])
    return met


def _leading_group_recorded(unit_ids: Iterable[int]) -> set[int]:
    """A leading group with a leader (组长) and an office (办公室, its director)."""
    return set(
        LeadingGroupMember.objects.filter(unit_id__in=list(unit_ids))
        .values("unit_id")
        .annotate(
            leaders=Count("pk", filter=Q(role=LeadingGroupRole.LEADER)),
            offices=Count("pk", filter=Q(role=LeadingGroupRole.OFFICE_DIRECTOR)),
        )
        .filter(leaders__gt=0, offices__gt=0)
        .values_list("unit_id", flat=True)
    )


register_check(Condition.LEADING_GROUP_RECORDED, _leading_group_recorded)


def _evidence(code: str) -> dict[str, Any]:
    return {"condition": code, "note": str(Condition(code).label)}


def condition_changed(unit: Unit, code: str) -> int:
    """`unit`'s fact behind `code` may have changed: complete its open tasks waiting on it if
    the unit now meets it. Returns how many tasks were completed."""
    if not meets(code, [unit.pk]):
        return 0
    done = 0
    for campaign in selectors.campaigns_for_unit(unit).filter(status=CampaignStatus.RUNNING):
        for unit_task in selectors.tasks_for_unit(campaign, unit):
            task = unit_task.task
            if task.completion != CompletionKind.CONDITION or task.condition != code:
                continue
            if TaskCompletion.objects.filter(task=task, unit=unit).exists():
                continue
            task_complete(actor=Actor.system(), task=task, unit=unit, evidence=_evidence(code))
            done += 1
    return done


def _acknowledged(document_id: int, unit_ids: Iterable[int]) -> dict[int, Any]:
    """Of `unit_ids`, those that acknowledged the document (or a forward of it): unit id → when."""
    from jiceng.documents.models import Receipt

    found: dict[int, Any] = {}
    ids = list(unit_ids)
    for start in range(0, len(ids), BATCH):
        found.update(
            Receipt.objects.filter(
                origin_id=document_id,
                unit_id__in=ids[start : start + BATCH],
                acknowledged_at__isnull=False,
            )
            .order_by("acknowledged_at")
            .values_list("unit_id", "acknowledged_at")
        )
    return found


def _sweep_acknowledgements(campaign: Any) -> int:
    done = 0
    tasks = Task.objects.filter(
        phase__campaign=campaign,
        completion=CompletionKind.ACKNOWLEDGE,
        document__isnull=False,
        parent_task__isnull=True,
    ).select_related("phase__campaign", "owner_unit")
    for task in tasks:
        candidates = _open_units(task, campaign)
        acknowledged = _acknowledged(task.document_id, candidates)  # type: ignore[arg-type]
        for unit in Unit.objects.filter(pk__in=list(acknowledged)).order_by("path"):
            with transaction.atomic():
                task_complete(
                    actor=Actor.system(),
                    task=task,
                    unit=unit,
                    evidence=_acknowledgement_evidence(task),
                    done_at=acknowledged[unit.pk],
                )
            done += 1
    return done


def _open_units(task: Task, campaign: Any) -> list[int]:
    """The units that must do `task` and have not: at its level, inside the campaign's scope and
    the area of the plan that added it."""
    return list(
        Unit.objects.filter(level=task.level, path__subtree=task.owner_unit.path)
        .filter(path__subtree=campaign.unit.path)
        .exclude(pk__in=TaskCompletion.objects.filter(task=task).values("unit_id"))
        .values_list("pk", flat=True)
    )


def _acknowledgement_evidence(task: Task) -> dict[str, Any]:
    return {"document": task.document_id, "note": str(task.document)}


def sweep(campaign: Any) -> int:
    """Complete, for every unit that already meets it, each open condition task of a running
    `campaign`, and each acknowledge task whose document the unit acknowledged. Returns how many
    were completed."""
    if campaign.status != CampaignStatus.RUNNING:
        return 0
    done = _sweep_acknowledgements(campaign)
    tasks = Task.objects.filter(
        phase__campaign=campaign,
        completion=CompletionKind.CONDITION,
        parent_task__isnull=True,
    ).select_related("phase__campaign", "owner_unit")
    for task in tasks:
        if task.condition not in _CHECKS:
            continue
        met = meets(task.condition, _open_units(task, campaign))
        for unit in Unit.objects.filter(pk__in=met).order_by("path"):
            with transaction.atomic():
                task_complete(
                    actor=Actor.system(), task=task, unit=unit, evidence=_evidence(task.condition)
                )
            done += 1
    return done


def on_profile_changed(sender: Any, *, unit: Unit, model: type, **kwargs: Any) -> None:
    """The tree app's signal: a leading group change may meet `leading_group_recorded`."""
    if model is LeadingGroupMember:
        condition_changed(unit, Condition.LEADING_GROUP_RECORDED)


def on_document_acknowledged(sender: Any, *, receipt: Any, **kwargs: Any) -> None:
    """The documents app's signal, inside its transaction: the receipt's unit acknowledged a
    document; its open acknowledge tasks naming the document's original are done then."""
    unit = Unit.objects.get(pk=receipt.unit_id)
    for campaign in selectors.campaigns_for_unit(unit).filter(status=CampaignStatus.RUNNING):
        for unit_task in selectors.tasks_for_unit(campaign, unit):
            task = unit_task.task
            if (
                task.completion != CompletionKind.ACKNOWLEDGE
                or task.document_id != receipt.origin_id
            ):
                continue
            if TaskCompletion.objects.filter(task=task, unit=unit).exists():
                continue
            task_complete(
                actor=Actor.system(),
                task=task,
                unit=unit,
                evidence=_acknowledgement_evidence(task),
                done_at=receipt.acknowledged_at,
            )
