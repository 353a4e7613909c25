"""The national-scale seeder and `bench_campaigns`, run at a tiny scale so they cannot rot: the
seeded task states are judged as the services judge them, the set-based rebuild of the summary
rows equals the row-by-row facts, and the command prints its tables."""

import io

import pytest
from django.core.management import call_command

from conftest import People, Tree
from jiceng.campaigns.management.seed import bench_campaign, seed
from jiceng.campaigns.measures import CAMPAIGN_TASKS, deadline_in_force, is_on_time
from jiceng.campaigns.models import Campaign, Task, TaskCompletion, TaskProgressRollup
from jiceng.core import rollups
from jiceng.org.models import Unit

pytestmark = pytest.mark.django_db


def _rows() -> dict[tuple[int, int, int], tuple[int, int, int, int, int | None, int | None]]:
    return {
        (r.unit_id, r.year, r.task_id): (
            r.done,
            r.on_time,
            r.late,
            r.waived,
            r.province_id,
            r.grassroots_id,
        )
        for r in TaskProgressRollup.objects.all()
    }


def test_the_seeder_judges_states_as_the_services_do(tree: Tree, people: People):
    result = seed(years=3)
    assert result.campaigns == 3
    assert result.completions == TaskCompletion.objects.count() > 0
    current = bench_campaign()
    assert current is not None and current.is_running
    assert Campaign.objects.filter(name__contains="规模测试", status="closed").count() == 2
    # Four levels, and the local plans of 安徽 (a task of its own) and 合肥 (a deadline).
    tasks = Task.objects.filter(phase__campaign=current)
    assert set(tasks.values_list("level", flat=True)) == {
        "province",
        "city",
        "grassroots",
        "branch",
    }
    assert tasks.filter(owner_unit=tree.anhui, parent_task__isnull=True).count() == 1
    assert tasks.filter(owner_unit=tree.hefei, parent_task__isnull=False).count() == 1
    for c in TaskCompletion.objects.select_related("task", "unit").filter(state="done"):
        overrides = list(
            Task.objects.filter(parent_task=c.task).values_list("owner_unit__path", "deadline")
        )
        assert c.on_time == is_on_time(
            c.done_at, deadline_in_force(c.task.deadline, overrides, c.unit.path)
        ), c
    # The oldest campaign lies wholly in the past: done on time and late both occur.
    oldest = TaskCompletion.objects.filter(task__phase__campaign__year=current.year - 2)
    assert oldest.filter(state="done", on_time=True).exists()
    assert oldest.filter(state="done", on_time=False).exists()
    # The set-based rebuild equals the facts judged row by row, anchors included.
    assert rollups.differences(CAMPAIGN_TASKS) == []
    expected = {
        (c.unit_id, c.task.phase.campaign.year, c.task_id): (
            int(c.state == "done"),
            int(c.state == "done" and c.on_time),
            int(c.state == "done" and not c.on_time),
            int(c.state == "waived"),
            c.province_id,
            c.grassroots_id,
        )
        for c in TaskCompletion.objects.select_related("task__phase__campaign")
    }
    assert _rows() == expected
    # Seeding again adds nothing.
    assert seed(years=3).campaigns == 0


def test_a_partial_rebuild_replaces_only_its_units_and_years(tree: Tree, people: People):
    seed(years=2)
    before = _rows()
    year = bench_campaign().year  # type: ignore[union-attr]
    subtree = Unit.objects.filter(path__startswith=tree.hefei.path)
    inside = set(subtree.values_list("pk", flat=True))
    TaskProgressRollup.objects.filter(year=year).update(done=7)
    TaskProgressRollup.objects.filter(year=year - 1).update(done=9)
    CAMPAIGN_TASKS.rebuild(units=subtree, years=[year])
    after = _rows()
    assert any(unit in inside and y == year for unit, y, _task in before)
    for key, figures in after.items():
        unit, y, _task = key
        if y == year and unit in inside:
            assert figures == before[key]
        else:
            assert figures[0] == (7 if y == year else 9)
    assert {k for k in after if k[1] == year and k[0] in inside} == {
        k for k in before if k[1] == year and k[0] in inside
    }
    CAMPAIGN_TASKS.rebuild()
    assert _rows() == before


def test_bench_command_prints_its_tables(tree: Tree, people: People):
    out = io.StringIO()
    call_command(
        "bench_campaigns", "--runs", "1", "--rebuild-runs", "1", "--years", "2", stdout=out
    )
    text = out.getvalue()
    for line in (
        "| the nation | selector campaign_progress |",
        "| the nation | page /campaign/ (tab) |",
        "| province 安徽",
        "| association 蜀山",
        "| `campaign_tasks` |",
        "| acknowledgement of a national document (3 receipts) |",
        "| the nation | selector document_status |",
    ):
        assert line in text, text
    assert "Traceback" not in text
