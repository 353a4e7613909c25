"""The campaign's progress on the roll-up engine (`core/rollups.py`): per unit, campaign year and
task, whether the unit has done it (on time or late) or had it waived. Kept by deltas from the
completion services (`completion.py`); rebuilt from the task completions, with on-time judged
afresh against the deadline in force for each unit (the task's, or an earlier local one).

Two ways to judge on time afresh, one the proof of the other: `facts()` in Python, row by row
(what `rollups.differences` and `rebuild_rollups --check` compare with), and `rebuild()` in SQL,
one `INSERT … SELECT` per task, which writes 1.5 million rows at the speed of the engine.
"""

import datetime
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from jiceng.core import rollups
from jiceng.core.bulk import adapter
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


def day_ends(deadline: datetime.date) -> datetime.datetime:
    """The first instant after the deadline day in the site's time zone: done before it is on
    time (`is_on_time` as one comparison a database can make on the stored `done_at`)."""
    following = deadline + datetime.timedelta(days=1)
    return datetime.datetime(
        following.year, following.month, following.day, tzinfo=timezone.get_current_timezone()
    )


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

    def rebuild_rows(
        self, *, units: QuerySet[Unit] | None = None, years: Sequence[int] | None = None
    ) -> int:
        """Make the rows of these units and years (all when None) equal to rows judged afresh
        from the completions, set-based, per task: on time is `done_at` before the end of the
        deadline day in force (`day_ends`), the task's and every earlier local one whose owner
        lies above the unit (a prefix test on the unit's path, for tasks with local deadlines
        only). The computed rows are upserted — `INSERT … SELECT … ON CONFLICT DO UPDATE` where
        a figure or anchor differs — and stored rows with no completion behind them deleted, so
        a rebuild of right rows reads them and writes nothing. The rows take the completions'
        anchors, which `org.anchors.rewrite_anchors` keeps as it keeps the summary rows'. One
        transaction; returns the number of rows of these units and years after it."""
        table = TaskProgressRollup._meta.db_table
        source = TaskCompletion._meta.db_table
        unit_table = Unit._meta.db_table
        to_db = adapter(connection)["datetime"]
        differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
        tasks = Task.objects.filter(parent_task__isnull=True).order_by("pk")
        if years is not None:
            tasks = tasks.filter(phase__campaign__year__in=list(years))
        overrides: dict[int, list[tuple[str, datetime.date]]] = {}
        for parent_id, path, deadline in (
            Task.objects.filter(parent_task__in=tasks.values("pk"))
            .order_by()
            .values_list("parent_task_id", "owner_unit__path", "deadline")
        ):
            overrides.setdefault(parent_id, []).append((path, deadline))
        unit_in, unit_params = "", ()
        if units is not None:
            inner, unit_params = units.order_by().values("pk").query.sql_with_params()
            unit_in = f" IN ({inner})"
        unit_scope = f" AND unit_id{unit_in}" if unit_in else ""
        year_in = "" if years is None else f" AND year IN ({', '.join(str(int(y)) for y in years)})"
        figures = ("done", "on_time", "late", "waived", "province_id", "grassroots_id")
        columns = "unit_id, year, province_id, grassroots_id, task_id, done, on_time, late, waived"

        def assign(new: str) -> str:
            return ", ".join(f"{name} = {new}.{name}" for name in figures)

        def changed(new: str) -> str:
            return " OR ".join(f"r.{name} {differs} {new}.{name}" for name in figures)

        with transaction.atomic(), connection.cursor() as cursor:
            stored = TaskProgressRollup.objects.all()
            if units is not None:
                stored = stored.filter(unit_id__in=units.order_by().values("pk"))
            if years is not None:
                stored = stored.filter(year__in=list(years))
            every = list(tasks.values_list("pk", "deadline", "phase__campaign__year"))
            by_year: dict[int, list[int]] = {}
            for pk, _deadline, year in every:
                by_year.setdefault(year, []).append(pk)
            # Stored rows that no completion stands behind: of no task in scope, of another
            # year than their task's campaign, of a unit that has no completion of the task.
            stored.exclude(task__in=tasks.values("pk")).delete()
            stored.exclude(year__in=list(by_year)).delete()
            for year, ids in by_year.items():
                cursor.execute(
                    f"DELETE FROM {table} WHERE year = {int(year)}"  # noqa: S608
                    f" AND task_id NOT IN ({', '.join(str(int(pk)) for pk in ids)}){unit_scope}",
                    unit_params,
                )
            cursor.execute(
                f"DELETE FROM {table} WHERE NOT EXISTS (SELECT 1 FROM {source} c"  # noqa: S608
                f" WHERE c.task_id = {table}.task_id AND c.unit_id = {table}.unit_id)"
                f"{unit_scope}{year_in}",
                unit_params,
            )
            for pk, deadline, year in every:
                # On time: before the end of the task's deadline day and of every local one in
                # force for the unit (a local deadline applies strictly below its owner).
                in_time = ["c.done_at < %s"]
                params: list[Any] = [to_db(day_ends(deadline))]
                for path, local in overrides.get(pk, ()):
                    size = len(path)
                    in_time.append(
                        f"NOT (substr(u.path, 1, {size}) = %s AND length(u.path) > {size}"
                        " AND c.done_at >= %s)"
                    )
                    params += [path, to_db(day_ends(local))]
                ok = " AND ".join(in_time)
                join = f" JOIN {unit_table} u ON u.id = c.unit_id" if pk in overrides else ""
                scope = f" AND c.unit_id{unit_in}" if unit_in else ""
                computed = (
                    f"SELECT c.unit_id, {int(year)} AS year, c.province_id, c.grassroots_id,"  # noqa: S608
                    " c.task_id, CASE WHEN c.state = 'done' THEN 1 ELSE 0 END AS done,"
                    f" CASE WHEN c.state = 'done' AND ({ok}) THEN 1 ELSE 0 END AS on_time,"
                    f" CASE WHEN c.state = 'done' AND NOT ({ok}) THEN 1 ELSE 0 END AS late,"
                    " CASE WHEN c.state = 'waived' THEN 1 ELSE 0 END AS waived"
                    f" FROM {source} c{join} WHERE c.task_id = %s{scope}"
                )
                computed_params = [*params, *params, pk, *unit_params]
                if connection.vendor == "postgresql":
                    # Hash joins: update the rows that differ, insert the missing ones (an
                    # upsert would lock every row it finds, writing them all).
                    cursor.execute(
                        f"UPDATE {table} r SET {assign('s')} FROM ({computed}) s"  # noqa: S608
                        " WHERE r.unit_id = s.unit_id AND r.year = s.year"
                        f" AND r.task_id = s.task_id AND ({changed('s')})",
                        computed_params,
                    )
                    cursor.execute(
                        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM ({computed}) s"  # noqa: S608
                        f" WHERE NOT EXISTS (SELECT 1 FROM {table} r WHERE r.unit_id = s.unit_id"
                        " AND r.year = s.year AND r.task_id = s.task_id)",
                        computed_params,
                    )
                else:  # nested loops: one probe of the unique index per row
                    cursor.execute(
                        f"INSERT INTO {table} AS r ({columns}) SELECT {columns}"  # noqa: S608
                        f" FROM ({computed}) s WHERE true"
                        " ON CONFLICT (unit_id, year, task_id) DO UPDATE SET"
                        f" {assign('excluded')} WHERE {changed('excluded')}",
                        computed_params,
                    )
            return stored.count()

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
