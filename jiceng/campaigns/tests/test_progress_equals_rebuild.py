"""Random sequences of completions, waivers, reopenings, deadline extensions, local deadlines and
unit moves: the `campaign_tasks` rows kept by deltas equal a rebuild, and the stored on-time
flags equal on time judged afresh."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Tree
from jiceng.campaigns import completion, services
from jiceng.campaigns.measures import CAMPAIGN_TASKS, deadline_in_force, is_on_time
from jiceng.campaigns.models import Task, TaskCompletion, TaskProgressProvinceTotal
from jiceng.core import rollups
from jiceng.core.actor import Actor
from jiceng.core.errors import DomainError
from jiceng.org import services as org_services
from jiceng.org.models import Unit

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UNITS = ["shushan", "baohe", "xuanwu", "branch"]
PLANNERS = ["anhui", "hefei", "jiangsu", "nanjing"]

ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("complete"),
            st.sampled_from(UNITS),
            st.integers(0, 1),
            st.integers(-4, 4),
            st.sampled_from([(0, 0), (9, 30), (23, 59)]),
        ),
        st.tuples(st.just("waive"), st.sampled_from(UNITS), st.integers(0, 1)),
        st.tuples(st.just("reopen"), st.sampled_from(UNITS), st.integers(0, 1)),
        st.tuples(st.just("extend"), st.integers(0, 1), st.integers(1, 6)),
        st.tuples(
            st.just("override"), st.sampled_from(PLANNERS), st.integers(0, 1), st.integers(0, 6)
        ),
        st.tuples(st.just("drop_override"), st.integers(0, 5)),
        st.tuples(
            st.just("move"),
            st.sampled_from(
                [
                    ("shushan", "nanjing"),
                    ("shushan", "hefei"),
                    ("baohe", "nanjing"),
                    ("baohe", "hefei"),
                    ("branch", "baohe"),
                    ("branch", "shushan"),
                ]
            ),
        ),
    ),
    min_size=3,
    max_size=30,
)


def _setup(tree: Tree) -> list[Task]:
    actor = Actor.system()
    campaign = services.campaign_create(actor=actor, unit=tree.root, name="建设年", year=2009)
    phase = services.phase_create(
        actor=actor,
        campaign=campaign,
        data={
            "name": "一",
            "starts": datetime.date(2009, 3, 1),
            "ends": datetime.date(2009, 5, 31),
        },
    )
    tasks = [
        services.task_create(
            actor=actor,
            phase=phase,
            owner_unit=tree.root,
            data={
                "level": level,
                "title": level,
                "deadline": datetime.date(2009, 4, 15),
                "completion": "form",
            },
        )
        for level in ("grassroots", "branch")
    ]
    services.campaign_start(actor=actor, campaign=campaign)
    return tasks


def _apply(tree: Tree, tasks: list[Task], op: tuple) -> None:
    actor = Actor.system()
    kind = op[0]
    if kind in ("complete", "waive", "reopen"):
        unit = Unit.objects.get(pk=getattr(tree, op[1]).pk)
        task = Task.objects.get(pk=tasks[op[2]].pk)
        if kind == "complete":
            deadline = completion.deadline_for(task, unit)
            hour, minute = op[4]
            day = deadline + datetime.timedelta(days=op[3])
            done_at = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)
            completion.task_complete(actor=actor, task=task, unit=unit, done_at=done_at)
        elif kind == "waive":
            completion.task_waive(actor=actor, task=task, unit=unit, reason="理由")
        else:
            completion.task_reopen(actor=actor, task=task, unit=unit)
    elif kind == "extend":
        task = Task.objects.get(pk=tasks[op[1]].pk)
        services.task_update(
            actor=actor,
            task=task,
            data={"deadline": task.deadline + datetime.timedelta(days=op[2])},
            expected_lock_version=task.lock_version,
        )
    elif kind == "override":
        unit = Unit.objects.get(pk=getattr(tree, op[1]).pk)
        task = Task.objects.get(pk=tasks[op[2]].pk)
        cap = services._deadline_above(original=task, unit=unit)
        services.task_override_deadline(
            actor=actor, task=task, unit=unit, deadline=cap - datetime.timedelta(days=op[3])
        )
    elif kind == "move":
        unit = Unit.objects.get(pk=getattr(tree, op[1][0]).pk)
        parent = Unit.objects.get(pk=getattr(tree, op[1][1]).pk)
        if unit.parent_id != parent.pk:
            org_services.unit_move(actor=actor, unit=unit, new_parent=parent)
    elif kind == "drop_override":
        overrides = list(Task.objects.filter(parent_task__isnull=False).order_by("pk"))
        if overrides:
            services.task_delete(actor=actor, task=overrides[op[1] % len(overrides)])


def _rows() -> dict[tuple[object, ...], tuple[int, int, int, int]]:
    """Every completion's figures and every province total."""
    rows: dict[tuple[object, ...], tuple[int, int, int, int]] = {
        (r.unit_id, r.year, r.task_id): (
            r.done_count,
            r.on_time_count,
            r.late_count,
            r.waived_count,
        )
        for r in TaskCompletion.objects.all()
    }
    for t in TaskProgressProvinceTotal.objects.all():
        figures = (t.done_count, t.on_time_count, t.late_count, t.waived_count)
        if any(figures):
            rows[("total", t.province_id, t.year, t.task_id)] = figures
    return rows


def _flags_are_fresh() -> None:
    for c in TaskCompletion.objects.select_related("task", "unit").filter(state="done"):
        overrides = list(
            Task.objects.filter(parent_task=c.task).values_list("owner_unit__path", "deadline")
        )
        deadline = deadline_in_force(c.task.deadline, overrides, c.unit.path)
        assert c.on_time == is_on_time(c.done_at, deadline), c


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=ops)
def test_maintained_progress_equals_the_rebuild(tree: Tree, operations: list):
    with transaction.atomic():
        tasks = _setup(tree)
        for op in operations:
            try:
                with transaction.atomic():
                    _apply(tree, tasks, op)
            except (DomainError, ValidationError):
                pass  # refused (already done, nothing to reopen, a deadline past its phase…)
        _flags_are_fresh()
        assert rollups.differences(CAMPAIGN_TASKS) == []
        maintained = _rows()
        CAMPAIGN_TASKS.rebuild()
        assert _rows() == maintained
        transaction.set_rollback(True)
