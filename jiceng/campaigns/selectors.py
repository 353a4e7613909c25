"""Reads of campaigns that pages and the API will share, each in a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from jiceng.core import rollups
from jiceng.org.anchors import ancestor_paths, child_path_length
from jiceng.org.models import Unit

from .measures import CAMPAIGN_TASKS, TaskCounts
from .models import (
    Campaign,
    CampaignStatus,
    CompletionState,
    Phase,
    Task,
    TaskCompletion,
    level_rank,
)


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


# --- Progress ----------------------------------------------------------------------------------


@dataclass
class Progress:
    """Units expected to do (a task, or all tasks), how many have done it (on time or late) and
    how many had it waived; DHIS2's completeness rates over the expected."""

    expected: int = 0
    done: int = 0
    on_time: int = 0
    late: int = 0
    waived: int = 0

    @property
    def not_done(self) -> int:
        return max(self.expected - self.done - self.waived, 0)

    @property
    def reporting_rate(self) -> float | None:
        """(done + waived) ÷ expected (0–1); None when nothing is expected."""
        return (self.done + self.waived) / self.expected if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        """Done on time ÷ expected (0–1); None when nothing is expected."""
        return self.on_time / self.expected if self.expected else None

    @property
    def reporting_percent(self) -> float | None:
        """The reporting rate as a percentage, for pages."""
        rate = self.reporting_rate
        return None if rate is None else rate * 100

    @property
    def on_time_percent(self) -> float | None:
        """The on-time rate as a percentage, for pages."""
        rate = self.on_time_rate
        return None if rate is None else rate * 100

    def add(self, expected: int, counts: TaskCounts | None) -> None:
        self.expected += expected
        if counts is not None:
            self.done += counts.done
            self.on_time += counts.on_time
            self.late += counts.late
            self.waived += counts.waived


@dataclass
class TaskProgress:
    task: Task
    progress: Progress


@dataclass
class ChildProgress:
    unit: Unit
    progress: Progress


@dataclass
class CampaignProgress:
    """A campaign's progress in `unit`'s subtree: per task, per child unit (all tasks), and in
    all (`total`)."""

    campaign: Campaign
    unit: Unit
    tasks: list[TaskProgress]
    children: list[ChildProgress]
    total: Progress


def campaign_progress(campaign: Campaign, unit: Unit) -> CampaignProgress:
    """Per task of the campaign that concerns `unit`'s subtree (from the plans above it, its
    own, and the local plans below it): expected, done, on time, late, waived, not done; per
    child unit the same over all tasks with the reporting and on-time rates. Done figures come
    from the `campaign_tasks` summary rows, expected ones from the tree (units at the task's
    level in the subtree, within the area of the plan that added the task). Four queries, five
    when a local plan below `unit` added tasks, however many children and units."""
    rank = level_rank(unit.level)
    tasks = [
        t
        for t in Task.objects.filter(phase__campaign=campaign, parent_task__isnull=True)
        .filter(
            Q(owner_unit__path__in=ancestor_paths(unit.path))
            | Q(owner_unit__path__startswith=unit.path)
        )
        .select_related("phase", "owner_unit")
        .order_by("phase__order", "deadline", "pk")
        if level_rank(t.level) >= rank
    ]
    children = list(Unit.objects.filter(parent=unit).order_by("code"))
    rollup = rollups.read(
        CAMPAIGN_TASKS,
        unit=unit,
        year=campaign.year,
        where=Q(task_id__in=[t.pk for t in tasks]),
        children=children,
    )
    # Units per (child's path, level) in the subtree (the unit itself under its own path).
    per_child: dict[tuple[str, str], int] = {}
    if tasks:
        for row in (
            Unit.objects.filter(path__startswith=unit.path, level__in={t.level for t in tasks})
            .annotate(prefix=Substr("path", 1, child_path_length(unit)))
            .order_by()
            .values("prefix", "level")
            .annotate(n=Count("pk"))
        ):
            key = (row["prefix"], row["level"])
            per_child[key] = per_child.get(key, 0) + row["n"]
    # Tasks of local plans below the unit: units at the level in the owner's subtree.
    below = [t for t in tasks if len(t.owner_unit.path) > len(unit.path)]
    local: dict[int, int] = {}
    if below:
        counts = Unit.objects.filter(path__startswith=unit.path).aggregate(
            **{
                f"t{t.pk}": Count("pk", filter=Q(path__startswith=t.owner_unit.path, level=t.level))
                for t in below
            }
        )
        local = {t.pk: counts[f"t{t.pk}"] for t in below}

    def expected(task: Task, child: Unit | None) -> int:
        if task.pk in local:
            if child is None or task.owner_unit.path.startswith(child.path):
                return local[task.pk]
            return 0
        if child is None:
            return sum(n for (_p, level), n in per_child.items() if level == task.level)
        return per_child.get((child.path, task.level), 0)

    total = Progress()
    task_rows = []
    for task in tasks:
        progress = Progress()
        progress.add(expected(task, None), rollup.total.get(task.pk))
        total.add(progress.expected, rollup.total.get(task.pk))
        task_rows.append(TaskProgress(task, progress))
    child_rows = []
    for row in rollup.children:
        progress = Progress()
        for task in tasks:
            progress.add(expected(task, row.unit), row.figures.get(task.pk))
        child_rows.append(ChildProgress(row.unit, progress))
    return CampaignProgress(campaign, unit, task_rows, child_rows, total)


# --- A unit's own tasks ------------------------------------------------------------------------


def current_campaign(unit: Unit) -> Campaign | None:
    """The running campaign whose scope contains `unit` (the latest, if several run). One
    query."""
    return (
        campaigns_for_unit(unit)
        .filter(status=CampaignStatus.RUNNING)
        .order_by("-year", "-pk")
        .first()
    )


class TaskState:
    """How a unit stands on one task: the values the tab shows and filters on."""

    ON_TIME = "on_time"
    LATE = "late"
    WAIVED = "waived"
    NOT_DONE = "not_done"
    OVERDUE = "overdue"


@dataclass
class UnitTaskState:
    task: Task
    #: The deadline in force for the unit.
    deadline: datetime.date
    completion: TaskCompletion | None
    state: str

    @property
    def is_open(self) -> bool:
        """Neither done nor waived."""
        return self.completion is None


def unit_task_states(
    campaign: Campaign, unit: Unit, *, today: datetime.date | None = None
) -> list[UnitTaskState]:
    """`unit`'s own tasks in `campaign` (`tasks_for_unit`), each with its state: done on time,
    done late, waived, not done, or overdue (not done and past the deadline in force, a date in
    Asia/Shanghai). Three queries."""
    today = today or timezone.localdate()
    unit_tasks = tasks_for_unit(campaign, unit)
    completions = {
        c.task_id: c
        for c in TaskCompletion.objects.filter(
            unit=unit, task__in=[ut.task.pk for ut in unit_tasks]
        ).select_related("done_by", "waived_by")
    }
    result = []
    for ut in unit_tasks:
        completion = completions.get(ut.task.pk)
        if completion is None:
            state = TaskState.OVERDUE if ut.deadline < today else TaskState.NOT_DONE
        elif completion.state == CompletionState.WAIVED:
            state = TaskState.WAIVED
        else:
            state = TaskState.ON_TIME if completion.on_time else TaskState.LATE
        result.append(UnitTaskState(ut.task, ut.deadline, completion, state))
    return result
