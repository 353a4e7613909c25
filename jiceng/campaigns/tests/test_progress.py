"""Campaign progress read from the summary rows and the tree: per task and per child unit, with
DHIS2's reporting and on-time rates, in a fixed number of queries."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from conftest import People, Tree
from jiceng.campaigns import completion, selectors, services
from jiceng.campaigns.measures import CAMPAIGN_TASKS
from jiceng.campaigns.models import Campaign, Task, TaskCompletion, TaskProgressProvinceTotal
from jiceng.core import rollups
from jiceng.core.actor import Actor
from jiceng.core.tests.helpers import add_children
from jiceng.org.models import Level, Unit

from .conftest import d


def figures(p: selectors.Progress) -> tuple[int, int, int, int, int, int]:
    return (p.expected, p.done, p.on_time, p.late, p.waived, p.not_done)


def test_national_progress_per_task_and_per_province(
    progressed: Campaign, grassroots_task: Task, branch_task: Task, tree: Tree
):
    progress = selectors.campaign_progress(progressed, tree.root)
    by_task = {row.task.pk: row.progress for row in progress.tasks}
    assert figures(by_task[grassroots_task.pk]) == (3, 2, 1, 1, 1, 0)
    assert figures(by_task[branch_task.pk]) == (1, 0, 0, 0, 0, 1)
    assert figures(progress.total) == (4, 2, 1, 1, 1, 1)
    children = {row.unit.pk: row.progress for row in progress.children}
    anhui, jiangsu = children[tree.anhui.pk], children[tree.jiangsu.pk]
    assert figures(anhui) == (3, 2, 1, 1, 0, 1)
    assert anhui.reporting_rate == pytest.approx(2 / 3)
    assert anhui.on_time_rate == pytest.approx(1 / 3)
    assert (jiangsu.reporting_rate, jiangsu.on_time_rate) == (1.0, 0.0)


def test_drill_down_gives_the_same_figures_at_each_step(
    progressed: Campaign, grassroots_task: Task, tree: Tree
):
    hefei = selectors.campaign_progress(progressed, tree.hefei)
    children = {row.unit.pk: row.progress for row in hefei.children}
    assert figures(children[tree.shushan.pk]) == (2, 1, 1, 0, 0, 1)
    assert figures(children[tree.baohe.pk]) == (1, 1, 0, 1, 0, 0)
    national = selectors.campaign_progress(progressed, tree.root)
    anhui = next(row.progress for row in national.children if row.unit.pk == tree.anhui.pk)
    assert figures(hefei.total) == figures(anhui)
    shushan = selectors.campaign_progress(progressed, tree.shushan)
    assert [row.unit.pk for row in shushan.children] == [tree.branch.pk]
    assert figures(shushan.children[0].progress) == (1, 0, 0, 0, 0, 1)
    assert figures(shushan.total) == (2, 1, 1, 0, 0, 1)


def test_a_local_task_counts_only_in_its_owners_subtree(
    progressed: Campaign, tree: Tree, people: People
):
    local = services.task_create(
        actor=Actor(user=people.hefei_admin),
        phase=progressed.phases.get(order=2),
        owner_unit=tree.hefei,
        data={"level": "grassroots", "title": "走访", "deadline": d(5, 1), "completion": "form"},
    )
    completion.task_complete(actor=Actor(user=people.baohe_secretary), task=local, unit=tree.baohe)
    national = selectors.campaign_progress(progressed, tree.root)
    row = next(r.progress for r in national.tasks if r.task == local)
    assert figures(row) == (2, 1, 0, 1, 0, 1)  # done today, long after its 2009 deadline
    children = {row.unit.pk: row.progress for row in national.children}
    assert children[tree.anhui.pk].expected == 5 and children[tree.jiangsu.pk].expected == 1
    jiangsu = selectors.campaign_progress(progressed, tree.jiangsu)
    assert local not in [row.task for row in jiangsu.tasks]


def test_nothing_expected_reads_as_no_rate(running: Campaign, tree: Tree):
    progress = selectors.campaign_progress(running, tree.branch)  # tasks for branches: its own
    assert progress.total.expected == 1
    assert progress.children[0].progress.reporting_rate is None  # the group: nothing expected


def test_maintained_rows_equal_a_rebuild(progressed: Campaign):
    assert rollups.differences(CAMPAIGN_TASKS) == []
    rollups.rebuild(CAMPAIGN_TASKS, actor=Actor.system())
    assert rollups.differences(CAMPAIGN_TASKS) == []


def test_rebuild_rollups_check_covers_the_measure(
    progressed: Campaign, tree: Tree, capsys: pytest.CaptureFixture[str]
):
    call_command("rebuild_rollups", "--check")
    assert "campaign_tasks: 0 difference(s)" in capsys.readouterr().out
    # A stale on-time flag (as if a deadline had moved without `refresh_on_time`).
    TaskCompletion.objects.filter(unit_id=tree.baohe.pk).update(on_time=True)
    with pytest.raises(SystemExit):
        call_command("rebuild_rollups", "--check", "--measure", "campaign_tasks")
    out = capsys.readouterr().out
    # The completion against a fresh judgement, and its province's total (kept by deltas)
    # against the completions as they now stand: both differ.
    assert "2 difference(s)" in out and "('totals', " in out
    call_command("rebuild_rollups", "--measure", "campaign_tasks")
    assert rollups.differences(CAMPAIGN_TASKS) == []


def test_the_national_progress_reads_province_totals(
    progressed: Campaign, grassroots_task: Task, tree: Tree
):
    def anhui_done() -> int:
        national = selectors.campaign_progress(progressed, tree.root)
        return next(r.progress.done for r in national.children if r.unit == tree.anhui)

    done = anhui_done()
    assert done == selectors.campaign_progress(progressed, tree.anhui).total.done > 0
    totals = TaskProgressProvinceTotal.objects.filter(province=tree.anhui, task=grassroots_task)
    totals.update(done_count=F("done_count") + 5)
    assert anhui_done() == done + 5  # one row per province, not every unit's
    assert rollups.differences(CAMPAIGN_TASKS) != []
    rollups.refresh_totals(TaskCompletion, provinces=[tree.anhui.pk])
    assert anhui_done() == done and rollups.differences(CAMPAIGN_TASKS) == []


def _queries(campaign: Campaign, unit: Unit) -> int:
    with CaptureQueriesContext(connection) as ctx:
        selectors.campaign_progress(campaign, unit)
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("parent", "level"), [("root", Level.PROVINCE), ("hefei", Level.GRASSROOTS)]
)
def test_progress_queries_stay_flat_with_10_and_1000_children(
    progressed: Campaign, tree: Tree, people: People, parent: str, level: str
):
    services.task_create(  # a local plan below the nation: its sixth query
        actor=Actor(user=people.hefei_admin),
        phase=progressed.phases.get(order=2),
        owner_unit=tree.hefei,
        data={"level": "grassroots", "title": "走访", "deadline": d(5, 1), "completion": "form"},
    )
    unit = getattr(tree, parent)
    add_children(unit, 10, level=level)
    few = _queries(progressed, unit)
    added = add_children(unit, 990, level=level)
    if level == Level.GRASSROOTS:
        task = Task.objects.get(owner_unit=tree.root, level="grassroots")
        for child in added[:5]:
            completion.task_complete(actor=Actor(user=people.hefei_admin), task=task, unit=child)
    many = _queries(progressed, unit)
    assert few == many <= 6
    assert len(selectors.campaign_progress(progressed, unit).children) >= 1000
