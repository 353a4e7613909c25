"""Reads of campaigns that pages and the API will share, each in a fixed number of queries."""

import datetime
import operator
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from jiceng.core import rollups
from jiceng.org.anchors import ancestor_paths
from jiceng.org.counts import level_counts
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
    #: The deadline in force for the subtree's units: the task's, or an earlier one a local
    #: plan at or above the unit set (one set deeper shows at the next step down).
    deadline: datetime.date


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
    #: The unit's own tasks (those for its level), per task pk.
    own: dict[int, Progress] = field(default_factory=dict)
    #: With `by_task`: per child pk, per task pk, the child's subtree's figures.
    child_tasks: dict[int, dict[int, Progress]] = field(default_factory=dict)
    #: Per task pk, the local deadlines set for it: (owner's path, deadline).
    overrides: dict[int, list[tuple[str, datetime.date]]] = field(default_factory=dict)


def campaign_progress(campaign: Campaign, unit: Unit, *, by_task: bool = False) -> CampaignProgress:
    """Per task of the campaign that concerns `unit`'s subtree (from the plans above it, its
    own, and the local plans below it): expected, done, on time, late, waived, not done, and the
    deadline in force for the subtree; per
    child unit the same over all tasks with the reporting and on-time rates. Done figures come
    from the `campaign_tasks` summary rows (province totals at the national root), expected ones
    from the tree (units at the task's level in the subtree — `org.counts.level_counts`, cached
    until the tree changes — within the area of the plan that added the task). Five queries
    (four when the counts are cached), one more when a local plan below `unit` added tasks,
    however many children and units."""
    rank = level_rank(unit.level)
    tasks = [
        t
        for t in Task.objects.filter(phase__campaign=campaign, parent_task__isnull=True)
        .filter(
            Q(owner_unit__path__in=ancestor_paths(unit.path))
            | Q(owner_unit__path__subtree=unit.path)
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
    per_child = level_counts(unit, {t.level for t in tasks})
    # Tasks of local plans below the unit: units at the level in the owner's subtree.
    below = [t for t in tasks if len(t.owner_unit.path) > len(unit.path)]
    local: dict[int, int] = {}
    if below:
        # Only the units at each task's level in its owner's subtree: an index range each
        # (`unit_level_path`), not the whole subtree.
        areas = [Q(level=t.level, path__subtree=t.owner_unit.path) for t in below]
        counts = Unit.objects.filter(reduce(operator.or_, areas)).aggregate(
            **{f"t{t.pk}": Count("pk", filter=area) for t, area in zip(below, areas, strict=True)}
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

    overrides: dict[int, list[tuple[str, datetime.date]]] = {}
    if tasks:
        for parent_id, path, deadline in (
            Task.objects.filter(parent_task__in=[t.pk for t in tasks])
            .order_by()
            .values_list("parent_task_id", "owner_unit__path", "deadline")
        ):
            assert parent_id is not None
            overrides.setdefault(parent_id, []).append((path, deadline))

    total = Progress()
    task_rows = []
    own: dict[int, Progress] = {}
    for task in tasks:
        progress = Progress()
        progress.add(expected(task, None), rollup.total.get(task.pk))
        total.add(progress.expected, rollup.total.get(task.pk))
        in_force = _deadline_for(task, overrides.get(task.pk, []), unit.path, inclusive=True)
        task_rows.append(TaskProgress(task, progress, in_force))
        if task.level == unit.level:
            own[task.pk] = mine = Progress()
            mine.add(per_child.get((unit.path, task.level), 0), rollup.own.get(task.pk))
    child_rows = []
    child_tasks: dict[int, dict[int, Progress]] = {}
    for row in rollup.children:
        progress = Progress()
        for task in tasks:
            n = expected(task, row.unit)
            progress.add(n, row.figures.get(task.pk))
            if by_task:
                one = child_tasks.setdefault(row.unit.pk, {})[task.pk] = Progress()
                one.add(n, row.figures.get(task.pk))
        child_rows.append(ChildProgress(row.unit, progress))
    return CampaignProgress(
        campaign, unit, task_rows, child_rows, total, own, child_tasks, overrides
    )


# --- A unit's plan -----------------------------------------------------------------------------


@dataclass
class PlanLine:
    task: Task
    #: The deadline in force for the unit's subtree from the plans above it (the task's own for
    #: the unit that added it).
    deadline: datetime.date
    #: The unit's own earlier deadline for its subtree (a local deadline row), if any.
    local: datetime.date | None
    #: Added by the unit itself (its own plan), not from above.
    own: bool
    form: Any = None


@dataclass
class PlanPhase:
    phase: Phase
    lines: list[PlanLine]


@dataclass
class UnitPlan:
    phases: list[PlanPhase]


def plan_for_unit(campaign: Campaign, unit: Unit) -> UnitPlan:
    """The campaign as `unit` plans it: per phase, the tasks that concern its subtree — from the
    plans above it (for levels below the unit) with the deadline in force and the unit's own
    local deadline, and the tasks its own plan added. Three queries."""
    paths = ancestor_paths(unit.path)
    above = [p for p in paths if p != unit.path]
    phases = list(campaign.phases.order_by("order"))
    tasks = [
        t
        for t in Task.objects.filter(
            phase__campaign=campaign, parent_task__isnull=True, owner_unit__path__in=paths
        )
        .select_related("owner_unit")
        .order_by("deadline", "pk")
        if t.owner_unit_id == unit.pk or level_rank(t.level) > level_rank(unit.level)
    ]
    earliest: dict[int, datetime.date] = {}
    local: dict[int, datetime.date] = {}
    for parent_id, owner_path, deadline in Task.objects.filter(
        parent_task__in=[t.pk for t in tasks], owner_unit__path__in=paths
    ).values_list("parent_task_id", "owner_unit__path", "deadline"):
        assert parent_id is not None
        if owner_path == unit.path:
            local[parent_id] = deadline
        elif owner_path in above:
            earliest[parent_id] = min(deadline, earliest.get(parent_id, deadline))
    by_phase: dict[int, list[PlanLine]] = {p.pk: [] for p in phases}
    for t in tasks:
        by_phase[t.phase_id].append(
            PlanLine(
                task=t,
                deadline=min(t.deadline, earliest.get(t.pk, t.deadline)),
                local=local.get(t.pk),
                own=t.owner_unit_id == unit.pk,
            )
        )
    return UnitPlan([PlanPhase(p, by_phase[p.pk]) for p in phases])


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


def chosen_campaign(unit: Unit, raw: str | None) -> tuple[Campaign | None, list[Campaign]] | None:
    """The campaign a unit's page shows — `raw` (the `?campaign=` id) among those the unit
    takes part in, else the running one, else the latest — and the list to choose from. None
    when `raw` names no campaign the unit takes part in (the page's 404). Drafts are plans
    still being written: they show on the plan pages, not here. One query."""
    choices = list(
        campaigns_for_unit(unit).exclude(status=CampaignStatus.DRAFT).order_by("-year", "-pk")
    )
    if raw:
        chosen = next((c for c in choices if str(c.pk) == raw), None)
        return None if chosen is None else (chosen, choices)
    running = [c for c in choices if c.is_running]
    return next(iter(running or choices), None), choices


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
    Asia/Shanghai), with its evidence files. Four queries."""
    today = today or timezone.localdate()
    unit_tasks = tasks_for_unit(campaign, unit)
    completions = {
        c.task_id: c
        for c in TaskCompletion.objects.filter(
            unit=unit, task__in=[ut.task.pk for ut in unit_tasks]
        )
        .select_related("done_by", "waived_by")
        .prefetch_related("files")
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


# --- The progress page -------------------------------------------------------------------------


@dataclass
class PhaseProgress:
    """A phase's figures: the sum of its tasks' (expected, done, … over units and tasks)."""

    phase: Phase
    progress: Progress
    tasks: int = 0


@dataclass
class OverdueLine:
    """Units in a child's subtree (or the unit itself, `own`) that have not done a task whose
    deadline in force has passed."""

    unit: Unit
    task: Task
    deadline: datetime.date
    not_done: int
    expected: int
    own: bool
    today: datetime.date

    @property
    def days_overdue(self) -> int:
        return (self.today - self.deadline).days


@dataclass
class ProgressReport:
    """What the progress page and its export show for a campaign in `unit`'s subtree:
    `campaign_progress` (per task, per child, in all; per child and task), the figures per
    phase, and the overdue lines with each child's overdue count."""

    progress: CampaignProgress
    phases: list[PhaseProgress]
    overdue: list[OverdueLine]
    #: child pk → units × tasks not done past the deadline in force.
    child_overdue: dict[int, int]
    today: datetime.date

    @property
    def overdue_total(self) -> int:
        return sum(line.not_done for line in self.overdue)


def _deadline_for(
    task: Task, overrides: list[tuple[str, datetime.date]], path: str, *, inclusive: bool
) -> datetime.date:
    """The deadline in force for units at `path` (`inclusive=False`) or strictly below it
    (`inclusive=True`): the task's, or an earlier one a local plan above them set."""
    return min(
        [task.deadline]
        + [d for owner, d in overrides if path.startswith(owner) and (inclusive or owner != path)]
    )


def progress_report(
    campaign: Campaign, unit: Unit, *, today: datetime.date | None = None
) -> ProgressReport:
    """`campaign_progress(…, by_task=True)` plus the per-phase figures and the overdue lines:
    for the unit's own tasks and for each child and task, the units that have not done it
    when the deadline in force has passed (a date in Asia/Shanghai). All from the summary rows
    and the tree: `campaign_progress`'s queries and one more (the phases), however many
    children.

    The deadline in force for a child's line is the one local plans at or above the child set
    (exact when the child is at the task's level, or is the plan's owner); a local deadline set
    deeper inside the child's subtree shows at the next step down."""
    today = today or timezone.localdate()
    progress = campaign_progress(campaign, unit, by_task=True)
    phases = list(campaign.phases.order_by("order"))
    per_phase = {p.pk: PhaseProgress(p, Progress()) for p in phases}
    for line in progress.tasks:
        entry = per_phase[line.task.phase_id]
        entry.tasks += 1
        p = entry.progress
        p.expected += line.progress.expected
        p.done += line.progress.done
        p.on_time += line.progress.on_time
        p.late += line.progress.late
        p.waived += line.progress.waived

    tasks = {line.task.pk: line.task for line in progress.tasks}
    overrides = progress.overrides

    overdue: list[OverdueLine] = []
    for task_pk, own in progress.own.items():
        task = tasks[task_pk]
        deadline = _deadline_for(task, overrides.get(task_pk, []), unit.path, inclusive=False)
        if deadline < today and own.not_done:
            overdue.append(
                OverdueLine(unit, task, deadline, own.not_done, own.expected, True, today)
            )
    child_overdue: dict[int, int] = {}
    for child_line in progress.children:
        child = child_line.unit
        child_overdue[child.pk] = 0
        for task_pk, figures in progress.child_tasks.get(child.pk, {}).items():
            if not figures.not_done:
                continue
            task = tasks[task_pk]
            above = level_rank(child.level) < level_rank(task.level)
            deadline = _deadline_for(task, overrides.get(task_pk, []), child.path, inclusive=above)
            if deadline < today:
                child_overdue[child.pk] += figures.not_done
                overdue.append(
                    OverdueLine(
                        child, task, deadline, figures.not_done, figures.expected, False, today
                    )
                )
    overdue.sort(key=lambda line: (line.deadline, not line.own, line.unit.code, line.task.pk))
    return ProgressReport(progress, list(per_phase.values()), overdue, child_overdue, today)


def received_copies(unit: Unit, document_ids: list[int]) -> dict[int, int]:
    """For acknowledge tasks: per document (an original) the id of the copy `unit` received —
    the original or a forward of it — where the unit can open and acknowledge it. One query
    (none without documents)."""
    from jiceng.documents.models import Receipt

    if not document_ids:
        return {}
    return dict(
        Receipt.objects.filter(unit=unit, origin_id__in=document_ids)
        .order_by("received_at")
        .values_list("origin_id", "document_id")
    )
