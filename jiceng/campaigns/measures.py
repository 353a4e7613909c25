"""The campaign's progress on the roll-up engine (`core/rollups.py`): per unit, campaign year and
task, whether the unit has done it (on time or late) or had it waived. Kept by deltas from the
completion services (`completion.py`); rebuilt from the task completions, with on-time judged
afresh against the deadline in force for each unit (the task's, or an earlier local one)."""

import datetime
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from jiceng.core import rollups
from jiceng.org.models import Unit

from .models import CompletionState, Task, TaskCompletion, TaskProgressRollup


@dataclass
class TaskCounts:
    """How many units have done a task (on time or late), or had it waived."""

    done: int = 0
    on_time: int = 0
    late: int = 0
    waived: int = 0

    def add(self, row: Mapping[str, Any]) -> None:
        self.done += int(row["done"] or 0)
        self.on_time += int(row["on_time"] or 0)
        self.late += int(row["late"] or 0)
        self.waived += int(row["waived"] or 0)


def deadline_in_force(
    deadline: datetime.date, overrides: Iterable[tuple[str, datetime.date]], unit_path: str
) -> datetime.date:
    """The task's `deadline`, or an earlier one a local plan above the unit set (`overrides`:
    (owner's path, deadline) of the task's local deadline rows)."""
    return min(
        [deadline]
        + [d for path, d in overrides if unit_path.startswith(path) and unit_path != path]
    )


def is_on_time(done_at: datetime.datetime | None, deadline: datetime.date) -> bool:
    """Done on or before the deadline day, as a date in the site's time zone (Asia/Shanghai):
    done at 23:59 on the deadline day is on time."""
    return done_at is not None and timezone.localdate(done_at) <= deadline


def figures_of(state: str, on_time: bool) -> dict[str, int]:
    """One completion as a summary row's figures."""
    done = state == CompletionState.DONE
    return {
        "done": int(done),
        "on_time": int(done and on_time),
        "late": int(done and not on_time),
        "waived": int(state == CompletionState.WAIVED),
    }


class CampaignTasksMeasure(rollups.Measure[dict[int, TaskCounts]]):
    name = "campaign_tasks"
    model = TaskProgressRollup

    def facts(self, *, units: QuerySet[Unit] | None) -> Iterator[dict[str, Any]]:  # type: ignore[override]
        """Per completion (one per unit and task), in Python: on time is judged against the
        deadline in force for the unit, which depends on the local plans above it."""
        tasks = {
            pk: (deadline, year)
            for pk, deadline, year in Task.objects.filter(parent_task__isnull=True)
            .order_by()
            .values_list("pk", "deadline", "phase__campaign__year")
        }
        overrides: dict[int, list[tuple[str, datetime.date]]] = {}
        for parent_id, path, deadline in (
            Task.objects.filter(parent_task__isnull=False)
            .order_by()
            .values_list("parent_task_id", "owner_unit__path", "deadline")
        ):
            overrides.setdefault(parent_id, []).append((path, deadline))
        completions = TaskCompletion.objects.all()
        if units is not None:
            completions = completions.filter(unit_id__in=units.order_by().values("pk"))
        for unit_id, path, task_id, state, done_at in (
            completions.order_by()
            .values_list("unit_id", "unit__path", "task_id", "state", "done_at")
            .iterator(chunk_size=5000)
        ):
            deadline, year = tasks[task_id]
            on_time = state == CompletionState.DONE and is_on_time(
                done_at, deadline_in_force(deadline, overrides.get(task_id, ()), path)
            )
            yield {
                "unit_id": unit_id,
                "year": year,
                "task_id": task_id,
                **figures_of(state, on_time),
            }

    def combine(self, rows: Iterable[Mapping[str, Any]]) -> dict[int, TaskCounts]:
        """Task id → its counts."""
        result: dict[int, TaskCounts] = {}
        for row in rows:
            result.setdefault(row["task_id"], TaskCounts()).add(row)
        return result


CAMPAIGN_TASKS = rollups.register(CampaignTasksMeasure())


def completion_delta(
    *, unit_id: int, task_id: int, year: int, state: str, on_time: bool, sign: int
) -> None:
    """Add (+1) or take away (-1) one completion as it stands."""
    rollups.apply_delta(
        TaskProgressRollup,
        unit_id=unit_id,
        year=year,
        keys={"task_id": task_id},
        **{name: sign * value for name, value in figures_of(state, on_time).items()},
    )
