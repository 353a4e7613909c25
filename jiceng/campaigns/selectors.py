"""Reads of campaigns that pages and the API will share, each in a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from jiceng.org.anchors import ancestor_paths
from jiceng.org.models import Unit

from .models import Campaign, Phase, Task


def campaigns_for_unit(unit: Unit) -> QuerySet[Campaign]:
    """The campaigns `unit` takes part in: those run by it or by a unit above it."""
    return Campaign.objects.filter(unit__path__in=ancestor_paths(unit.path)).select_related("unit")


def campaign_plan(campaign: Campaign) -> list[Phase]:
    """The campaign's phases in order, each with its own tasks (`phase.tasks.all()`, local
    deadline rows left out): two queries."""
    own = Task.objects.filter(owner_unit=campaign.unit).order_by("deadline", "pk")
    return list(campaign.phases.order_by("order").prefetch_related(Prefetch("tasks", queryset=own)))


@dataclass(frozen=True)
class UnitTask:
    task: Task
    #: The deadline in force for the unit: the task's, or an earlier one a local plan set.
    deadline: datetime.date


def tasks_for_unit(campaign: Campaign, unit: Unit) -> list[UnitTask]:
    """What `unit` must do in `campaign`: the tasks for its level from the plans above it (the
    campaign's and its province's and city's), each with the deadline in force. Two queries."""
    above = [p for p in ancestor_paths(unit.path) if p != unit.path]
    tasks = list(
        Task.objects.filter(
            phase__campaign=campaign,
            level=unit.level,
            parent_task__isnull=True,
            owner_unit__path__in=above,
        )
        .select_related("phase")
        .order_by("phase__order", "deadline", "pk")
    )
    earliest: dict[int, datetime.date] = {}
    for parent_id, deadline in Task.objects.filter(
        parent_task__in=[t.pk for t in tasks], owner_unit__path__in=above
    ).values_list("parent_task_id", "deadline"):
        assert parent_id is not None
        earliest[parent_id] = min(deadline, earliest.get(parent_id, deadline))
    return [UnitTask(t, min(t.deadline, earliest.get(t.pk, t.deadline))) for t in tasks]
