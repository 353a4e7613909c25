"""The campaign's progress on the roll-up engine (`core/rollups.py`): per unit, campaign year and
task, whether the unit has done it (on time or late) or had it waived.

The rows are the task completions themselves (`TaskCompletion`, one per unit and task, its
figures as counts the database computes from `state` and `on_time`), with province totals kept
beside them by deltas from the completion services (`completion.py`). What a rebuild repairs is
what the completions derive: `on_time`, judged afresh against the deadline in force for each
unit (the task's, or an earlier local one), and the totals.

Two ways to judge on time afresh, one the proof of the other: `facts()` in Python, row by row
(what `rollups.differences` and `rebuild_rollups --check` compare with), and `rebuild_rows()`
in SQL, one `UPDATE` for the tasks without local deadlines and one per task with them.
"""

import datetime
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from jiceng.core import rollups
from jiceng.core.bulk import adapter
from jiceng.org.models import Level, Unit

from .models import CompletionState, Task, TaskCompletion


@dataclass
class TaskCounts:
    """How many units have done a task (on time or late), or had it waived."""

    done: int = 0
    on_time: int = 0
    late: int = 0
    waived: int = 0

    def add(self, row: Mapping[str, Any]) -> None:
        self.done += int(row["done_count"] or 0)
        self.on_time += int(row["on_time_count"] or 0)
        self.late += int(row["late_count"] or 0)
        self.waived += int(row["waived_count"] or 0)


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
    """One completion's figures (what its generated count columns hold)."""
    done = state == CompletionState.DONE
    return {
        "done_count": int(done),
        "on_time_count": int(done and on_time),
        "late_count": int(done and not on_time),
        "waived_count": int(state == CompletionState.WAIVED),
    }


class CampaignTasksMeasure(rollups.Measure[dict[int, TaskCounts]]):
    name = "campaign_tasks"
    model = TaskCompletion

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
        """Make the completions' `on_time` (of these units and years, all when None) equal to
        a fresh judgement, set-based: done before the end of the deadline day in force
        (`day_ends`), the task's and every earlier local one whose owner lies above the unit (a
        prefix test on the unit's path). One `UPDATE` for every task without local deadlines
        (their deadlines joined as a list of values), one per task with them; each writes only
        the rows that differ, so a rebuild of right rows writes nothing. The province totals
        follow (`Measure.rebuild`). Returns the number of completions in scope."""
        table = TaskCompletion._meta.db_table
        unit_table = Unit._meta.db_table
        to_db = adapter(connection)["datetime"]
        tasks, every, overrides = _deadlines(years)
        unit_in, unit_params = "", ()
        if units is not None:
            inner, unit_params = units.order_by().values("pk").query.sql_with_params()
            unit_in = f" AND {table}.unit_id IN ({inner})"
        plain = [row for row in every if row[0] not in overrides]
        with transaction.atomic(), connection.cursor() as cursor:
            if plain:
                # UPDATE … FROM a list of (task, end of its deadline day, year): both engines
                # name a VALUES list's columns column1, column2, …
                values = ", ".join(["(%s, %s, %s)"] * len(plain))
                params: list[Any] = [
                    v
                    for pk, deadline, year in plain
                    for v in (pk, to_db(day_ends(deadline)), int(year))
                ]
                judged = f"({table}.state = 'done' AND {table}.done_at < d.ends)"
                cursor.execute(
                    f"UPDATE {table} SET on_time = {judged}, year = d.year"  # noqa: S608
                    " FROM (SELECT column1 AS task_id, column2 AS ends, column3 AS year"
                    f" FROM (VALUES {values}) AS v) AS d"
                    f" WHERE {table}.task_id = d.task_id"
                    f" AND ({table}.on_time <> {judged} OR {table}.year <> d.year){unit_in}",
                    [*params, *unit_params],
                )
            for pk, deadline, year in every:
                if pk not in overrides:
                    continue
                # Before the end of the task's deadline day and of every local one in force for
                # the unit (a local deadline applies strictly below its owner).
                in_time = [f"{table}.state = 'done'", f"{table}.done_at < %s"]
                params = [to_db(day_ends(deadline))]
                for path, local in overrides[pk]:
                    size = len(path)
                    in_time.append(
                        f"NOT (substr(u.path, 1, {size}) = %s AND length(u.path) > {size}"
                        f" AND {table}.done_at >= %s)"
                    )
                    params += [path, to_db(day_ends(local))]
                judged = f"({' AND '.join(in_time)})"
                cursor.execute(
                    f"UPDATE {table} SET on_time = {judged}, year = %s"  # noqa: S608
                    f" FROM {unit_table} u WHERE u.id = {table}.unit_id AND {table}.task_id = %s"
                    f" AND ({table}.on_time <> {judged} OR {table}.year <> %s){unit_in}",
                    [*params, int(year), pk, *params, int(year), *unit_params],
                )
        done = TaskCompletion.objects.filter(task__in=tasks.values("pk"))
        if units is not None:
            done = done.filter(unit_id__in=units.order_by().values("pk"))
        return done.count()

    def rebuild(
        self, *, units: QuerySet[Unit] | None = None, years: Sequence[int] | None = None
    ) -> int:
        """For all units: one read that judges every completion afresh and sums the judged
        figures per province, year and task, counting the completions whose stored `on_time`
        or year differ (`judged_sums`); those are repaired (`rebuild_rows`, which writes only
        them) when there are any, and the sums replace the province totals. For some units:
        `rebuild_rows`, then their provinces' totals summed again. Returns the number of
        completions judged (of these units)."""
        if units is not None:
            return super().rebuild(units=units, years=years)
        with transaction.atomic():
            sums, wrong = judged_sums(years)
            if wrong:
                self.rebuild_rows(years=years)
            rollups.replace_totals(TaskCompletion, sums, years=years)
        return sum(row["done_count"] + row["waived_count"] for row in sums)

    def combine(self, rows: Iterable[Mapping[str, Any]]) -> dict[int, TaskCounts]:
        """Task id → its counts."""
        result: dict[int, TaskCounts] = {}
        for row in rows:
            result.setdefault(row["task_id"], TaskCounts()).add(row)
        return result


def _deadlines(
    years: Sequence[int] | None,
) -> tuple[
    QuerySet[Task],
    list[tuple[int, datetime.date, int]],
    dict[int, list[tuple[str, datetime.date]]],
]:
    """The tasks of these campaign years (all when None), each as (pk, deadline, year), and
    per task its local deadlines as (owner's path, deadline). Two queries."""
    tasks = Task.objects.filter(parent_task__isnull=True).order_by("pk")
    if years is not None:
        tasks = tasks.filter(phase__campaign__year__in=list(years))
    overrides: dict[int, list[tuple[str, datetime.date]]] = {}
    for parent_id, path, deadline in (
        Task.objects.filter(parent_task__in=tasks.values("pk"))
        .order_by()
        .values_list("parent_task_id", "owner_unit__path", "deadline")
    ):
        assert parent_id is not None
        overrides.setdefault(parent_id, []).append((path, deadline))
    every = [
        (pk, deadline, int(year))
        for pk, deadline, year in tasks.values_list("pk", "deadline", "phase__campaign__year")
    ]
    return tasks, every, overrides


def _strictly_below(paths: set[str]) -> dict[str, str]:
    """Per owner's path, a SQL test that a completion `c` is of a unit strictly below the owner,
    on the completion's anchors: below a province, its province and not itself; below an
    association, likewise; below a city, one of the city's associations (a city holds only
    associations); below a branch, one of its units. Two queries at most."""
    owners = list(Unit.objects.filter(path__in=paths).only("pk", "path", "level"))
    listed = [o for o in owners if o.level not in (Level.PROVINCE, Level.GRASSROOTS)]
    members: dict[str, list[int]] = {o.path: [] for o in listed}
    if listed:
        inside = reduce(operator.or_, (Q(path__subtree=o.path) for o in listed))
        for pk, path, level in Unit.objects.filter(inside).values_list("pk", "path", "level"):
            for o in listed:
                inside_owner = path.startswith(o.path) and path != o.path
                if inside_owner and (o.level != Level.CITY or level == Level.GRASSROOTS):
                    members[o.path].append(pk)
    tests: dict[str, str] = {}
    for o in owners:
        if o.level == Level.PROVINCE:
            tests[o.path] = f"c.province_id = {int(o.pk)} AND c.unit_id <> {int(o.pk)}"
        elif o.level == Level.GRASSROOTS:
            tests[o.path] = f"c.grassroots_id = {int(o.pk)} AND c.unit_id <> {int(o.pk)}"
        else:
            ids = ", ".join(str(int(pk)) for pk in members[o.path]) or "NULL"
            column = "c.grassroots_id" if o.level == Level.CITY else "c.unit_id"
            tests[o.path] = f"{column} IN ({ids})"
    return tests


def judged_sums(years: Sequence[int] | None = None) -> tuple[list[dict[str, Any]], int]:
    """Every completion of these campaign years (all when None) judged afresh, in SQL: the
    judged figures summed per province and task (the province totals as they should be),
    and how many completions' stored `on_time` or year differ from the judgement. One grouped
    read for the tasks without local deadlines (their deadlines a list of values), one for
    those with them (joined with the units' paths and their local deadlines); reads only, so
    PostgreSQL may scan in parallel."""
    table = TaskCompletion._meta.db_table
    to_db = adapter(connection)["datetime"]
    _tasks, every, overrides = _deadlines(years)
    # Grouped by province and task only (a task's year is its campaign's): the planner then
    # sees few groups and may aggregate in parallel.
    year_of = {pk: year for pk, _deadline, year in every}
    figures = (
        # The judgement twice (late = done − on time): the planner inlines it in each sum.
        "SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN judged THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN state = 'waived' THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN on_time <> judged OR stored_year <> year THEN 1 ELSE 0 END)"
    )
    listed: list[tuple[Any, ...]] = [
        (pk, to_db(day_ends(deadline)), year, int(pk in overrides)) for pk, deadline, year in every
    ]
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        # A temporary table keyed by task: SQLite scans the completions once and finds each
        # one's deadline by key (a list of values it would scan per completion).
        deadlines = "campaign_deadlines AS d"
        list_params: list[Any] = []
    else:
        # A list of values: PostgreSQL hashes it and may scan the completions in parallel
        # (which a temporary table would prevent).
        deadlines = (
            "(SELECT column1 AS task_id, column2 AS ends, column3 AS year,"  # noqa: S608
            f" column4 AS local FROM (VALUES {', '.join(['(%s, %s, %s, %s)'] * len(every))})"
            " AS v) AS d"
        )
        list_params = [v for row in listed for v in row]
    judged = "c.state = 'done' AND c.done_at < d.ends"
    local_params: list[Any] = []  # the judgement's, which comes first in the statement
    if overrides:
        # Not on time where a local deadline in force for the unit has passed: per task its
        # own tests, chosen by a CASE on the task; each tests the completion's anchors for the
        # units strictly below the deadline's owner (no join with the units).
        below = _strictly_below({path for rows in overrides.values() for path, _ends in rows})
        branches = []
        for pk, rows in overrides.items():
            tests = []
            for path, ends in rows:
                tests.append(f"(c.done_at >= %s AND {below[path]})")
                local_params.append(to_db(day_ends(ends)))
            branches.append(f"WHEN {int(pk)} THEN ({' OR '.join(tests)})")
        # Only for the tasks that have local deadlines (`d.local`).
        judged += f" AND NOT (d.local = 1 AND CASE c.task_id {' '.join(branches)} ELSE false END)"
    sql = (
        f"SELECT province_id, task_id, {figures} FROM ("  # noqa: S608
        "SELECT c.province_id, d.year, c.task_id, c.state, c.on_time,"
        f" c.year AS stored_year, ({judged}) AS judged"
        # CROSS JOIN: SQLite keeps the completions as the outer loop.
        f" FROM {table} c CROSS JOIN {deadlines} WHERE d.task_id = c.task_id"
        ") AS s GROUP BY province_id, task_id"
    )
    statements = [(sql, [*local_params, *list_params])] if every else []
    sums: list[dict[str, Any]] = []
    wrong = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Compiling these expressions (JIT) costs PostgreSQL more than it saves here.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        if sqlite and statements:
            cursor.execute("DROP TABLE IF EXISTS temp.campaign_deadlines")
            cursor.execute(
                "CREATE TEMP TABLE campaign_deadlines"
                " (task_id INTEGER PRIMARY KEY, ends TEXT, year INTEGER, local INTEGER)"
            )
            cursor.executemany("INSERT INTO campaign_deadlines VALUES (%s, %s, %s, %s)", listed)
        for sql, params in statements:
            cursor.execute(sql, params)
            for province_id, task_id, done, on_time, waived, bad in cursor.fetchall():
                wrong += int(bad)
                sums.append(
                    {
                        "province_id": province_id,
                        "year": year_of[task_id],
                        "task_id": task_id,
                        "done_count": int(done),
                        "on_time_count": int(on_time),
                        "late_count": int(done) - int(on_time),
                        "waived_count": int(waived),
                    }
                )
        if sqlite and statements:
            cursor.execute("DROP TABLE temp.campaign_deadlines")
    return sums, wrong


CAMPAIGN_TASKS = rollups.register(CampaignTasksMeasure())


def completion_delta(
    *, unit_id: int, task_id: int, year: int, state: str, on_time: bool, sign: int
) -> None:
    """Add (+1) or take away (-1) one completion as it stands."""
    rollups.apply_delta(
        TaskCompletion,
        unit_id=unit_id,
        year=year,
        keys={"task_id": task_id},
        **{name: sign * value for name, value in figures_of(state, on_time).items()},
    )
