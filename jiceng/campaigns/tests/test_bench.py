"""The national-scale seeder and `bench_campaigns`, run at a tiny scale so they cannot rot: the
seeded task states are judged as the services judge them, the set-based rebuild equals the
row-by-row judgement, and the command prints its tables."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Case, Value, When

from conftest import People, Tree
from jiceng.campaigns.management.seed import bench_campaign, seed
from jiceng.campaigns.measures import CAMPAIGN_TASKS, deadline_in_force, is_on_time
from jiceng.campaigns.models import Campaign, Task, TaskCompletion, TaskProgressProvinceTotal
from jiceng.core import rollups
from jiceng.org.models import Unit

pytestmark = pytest.mark.django_db


def _rows() -> dict[tuple[object, ...], tuple[object, ...]]:
    """Every completion's year, on-time flag and anchors, and every province total."""
    rows: dict[tuple[object, ...], tuple[object, ...]] = {
        (r.unit_id, r.task_id): (r.year, r.on_time, r.province_id, r.grassroots_id)
        for r in TaskCompletion.objects.all()
    }
    for t in TaskProgressProvinceTotal.objects.all():
        rows[("total", t.province_id, t.year, t.task_id)] = (
            t.done_count,
            t.on_time_count,
            t.late_count,
            t.waived_count,
        )
    return rows


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
    # The set-based rebuild equals the facts judged row by row, and the totals their sums.
    assert rollups.differences(CAMPAIGN_TASKS) == []
    for c in TaskCompletion.objects.select_related("task__phase__campaign"):
        assert c.year == c.task.phase.campaign.year
        assert (c.done_count, c.on_time_count, c.late_count, c.waived_count) == (
            int(c.state == "done"),
            int(c.state == "done" and c.on_time),
            int(c.state == "done" and not c.on_time),
            int(c.state == "waived"),
        )
    # Seeding again adds nothing.
    assert seed(years=3).campaigns == 0


def test_a_partial_rebuild_repairs_only_its_units_and_years(tree: Tree, people: People):
    seed(years=2)
    before = _rows()
    year = bench_campaign().year  # type: ignore[union-attr]
    subtree = Unit.objects.filter(path__startswith=tree.hefei.path)
    inside = set(subtree.values_list("pk", flat=True))
    done = TaskCompletion.objects.filter(state="done")
    # Every done completion's flag turned over, as if deadlines had moved unseen.
    done.update(on_time=Case(When(on_time=True, then=Value(False)), default=Value(True)))
    flipped = _rows()
    CAMPAIGN_TASKS.rebuild(units=subtree, years=[year])
    after = _rows()
    repaired = [k for k in before if k[0] in inside and before[k][0] == year]
    assert any(before[k][1] != flipped[k][1] for k in repaired)
    for key, figures in after.items():
        if key[0] == "total":
            continue
        if key in repaired:
            assert figures == before[key]
        else:
            assert figures == flipped[key]
    # The totals of the province the subtree lies in were summed afresh for that year only.
    stale = {key[1:3] for key, _stored, _computed in rollups.differences(CAMPAIGN_TASKS)}
    assert (tree.anhui.pk, year) not in stale and (tree.anhui.pk, year - 1) in stale
    CAMPAIGN_TASKS.rebuild()
    assert _rows() == before
    assert rollups.differences(CAMPAIGN_TASKS) == []


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
