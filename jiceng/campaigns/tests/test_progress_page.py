"""The progress page (GET /units/<pk>/campaign/<campaign_pk>/progress/) and its .xlsx: totals,
per phase, per child unit with drill-down (the same figures at each step), per task, the
overdue lines and the two charts' data; scope and the campaign's reach; flat query counts."""

import datetime
import io
import json
import re
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from conftest import People, Tree, client_for
from jiceng.campaigns import completion, selectors, services
from jiceng.campaigns.models import Campaign, Phase, Task
from jiceng.core.actor import Actor
from jiceng.core.models import AuditEntry
from jiceng.core.tests.helpers import add_children, assert_queries_flat
from jiceng.org.models import Level, Unit

from .conftest import SHANGHAI, add_completions, d


def _url(unit: Unit, campaign: Campaign, name: str = "campaigns:progress") -> str:
    return reverse(name, kwargs={"pk": unit.pk, "campaign_pk": campaign.pk})


def _chart(body: str, key: str) -> dict[str, Any]:
    """A chart's payload, read back from its json_script element."""
    assert f'data-testid="chart-{key}"' in body
    match = re.search(
        rf'<script id="chart-{key}-data" type="application/json">(.*?)</script>', body, re.S
    )
    assert match, key
    return dict(json.loads(match.group(1)))


def _cells(body: str, testid: str, marker: str) -> list[str]:
    """The text of the cells of the row of table `testid` that holds `marker`."""
    table = body.split(f'data-testid="{testid}"')[1].split("</table>")[0]
    row = next(r for r in table.split("<tr")[1:] if marker in r)
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def test_the_city_sees_totals_phases_children_tasks_and_overdue(
    tree: Tree, people: People, progressed: Campaign, branch_task: Task
):
    body = client_for(people.hefei_admin, language="en").get(_url(tree.hefei, progressed))
    assert body.status_code == 200
    html = body.content.decode()
    # Hefei's area: 2 grassroots tasks (蜀山 on time, 包河 late) and 1 branch task (not done).
    assert 'data-testid="total-reporting-rate">66.7%' in html
    assert 'data-testid="total-on-time-rate">33.3%' in html
    assert 'data-testid="total-overdue">1<' in html
    # Per phase: 准备动员 holds the grassroots task, 调查研究 the branch task.
    assert _cells(html, "progress-phases", "准备动员")[2:9] == ["1", "2", "2", "1", "1", "0", "0"]
    assert _cells(html, "progress-phases", "调查研究")[2:9] == ["1", "1", "0", "0", "0", "0", "1"]
    # Per child, with the overdue count, and a link down to the child's page.
    assert _cells(html, "progress-children", "蜀山区")[1:8] == ["2", "1", "1", "0", "0", "1", "1"]
    assert _cells(html, "progress-children", "包河区")[1:8] == ["1", "1", "0", "1", "0", "0", "0"]
    assert _url(tree.shushan, progressed) in html
    # Per task.
    assert _cells(html, "progress-tasks", "会员调查")[2:8] == ["1", "0", "0", "0", "0", "1"]
    # The overdue line: 蜀山区 has a branch that has not done 会员调查 (due 2009-05-20).
    line = _cells(html, "overdue-list", "会员调查")
    assert "蜀山区" in line[0] and line[2] == "2009-05-20" and line[4] == "1 / 1"
    # Back to the tab; the export offered to a city admin.
    tab = reverse("campaigns:unit_campaign", kwargs={"pk": tree.hefei.pk})
    assert f"{tab}?campaign={progressed.pk}" in html
    assert _url(tree.hefei, progressed, "campaigns:progress_export") in html


def test_the_charts_carry_the_tables_figures(
    tree: Tree, people: People, progressed: Campaign, phases: list[Phase]
):
    html = client_for(people.hefei_admin, language="en").get(_url(tree.hefei, progressed))
    bars = _chart(html.content.decode(), "children")
    option = bars["option"]
    assert option["yAxis"]["data"] == ["蜀山区个私协会", "包河区个私协会"]
    assert [s["name"] for s in option["series"]] == ["Reporting rate", "On-time rate"]
    assert option["series"][0]["data"] == [50.0, 100.0]
    assert option["series"][1]["data"] == [50.0, 0.0]
    assert option["tooltip"]["renderMode"] == "richText"
    assert bars["links"] == [_url(tree.shushan, progressed), _url(tree.baohe, progressed)]
    timeline = _chart(html.content.decode(), "phases")["option"]
    assert timeline["yAxis"]["data"] == ["准备动员", "调查研究"]
    spans = timeline["series"][0]["data"]
    assert spans[0]["value"] == [0, "2009-03-01", "2009-04-01"]  # 31 March included
    deadlines = {p["name"] for p in timeline["series"][1]["data"]}
    assert deadlines == {"签收《规范》 · 2009-03-31", "会员调查 · 2009-05-20"}
    # 2009 is long past: no today marker on its axis.
    assert [s["name"] for s in timeline["series"]] == ["Phase", "Deadline"]


def test_drill_down_shows_the_same_figures_at_each_step(
    tree: Tree, people: People, progressed: Campaign
):
    client = client_for(people.national, language="en")
    root = client.get(_url(tree.root, progressed)).content.decode()
    anhui = client.get(_url(tree.anhui, progressed)).content.decode()
    hefei = client.get(_url(tree.hefei, progressed)).content.decode()
    shushan = client.get(_url(tree.shushan, progressed)).content.decode()
    assert (
        _cells(root, "progress-children", "安徽")[1:8]
        == _cells(anhui, "progress-children", "合肥")[1:8]
    )
    assert _cells(anhui, "progress-children", "合肥")[1:7] == ["3", "2", "1", "1", "0", "1"]
    assert _cells(hefei, "progress-children", "蜀山区")[1:7] == ["2", "1", "1", "0", "0", "1"]
    # 蜀山区's own page: its branch is the child, overdue there; its own task is done.
    assert _cells(shushan, "progress-children", "城关分会")[1:8] == [
        "1",
        "0",
        "0",
        "0",
        "0",
        "1",
        "1",
    ]
    assert 'data-testid="total-reporting-rate">50.0%' in shushan
    # A branch: its own overdue task; its member group has nothing to do.
    branch = client.get(_url(tree.branch, progressed)).content.decode()
    assert "this unit" in _cells(branch, "overdue-list", "会员调查")[0]
    assert _cells(branch, "progress-children", "第一会员小组")[1:8] == ["0"] * 7
    assert 'data-testid="chart-phases"' in branch
    assert 'data-testid="chart-children"' not in branch  # no bars for nothing to do
    # A member group: no tasks in its area, no chart.
    group = client.get(_url(tree.group, progressed)).content.decode()
    assert 'data-testid="no-tasks"' in group and 'data-testid="chart-' not in group


def test_breadcrumbs_go_up_to_the_users_unit(tree: Tree, people: People, progressed: Campaign):
    html = client_for(people.hefei_admin).get(_url(tree.branch, progressed)).content.decode()
    crumbs = html.split('data-testid="breadcrumbs"')[1].split("</ol>")[0]
    assert _url(tree.hefei, progressed) in crumbs
    assert _url(tree.shushan, progressed) in crumbs
    assert "安徽" not in crumbs  # above the user's unit


def test_a_completion_changes_the_rates_and_the_overdue_list(
    tree: Tree, people: People, progressed: Campaign, branch_task: Task
):
    client = client_for(people.hefei_admin, language="en")
    completion.task_complete(
        actor=Actor(user=people.branch_staff),
        task=branch_task,
        unit=tree.branch,
        done_at=datetime.datetime(2009, 5, 20, 12, 0, tzinfo=SHANGHAI),
    )
    html = client.get(_url(tree.hefei, progressed)).content.decode()
    assert 'data-testid="total-reporting-rate">100.0%' in html
    assert 'data-testid="total-on-time-rate">66.7%' in html
    assert 'data-testid="no-overdue"' in html
    assert _chart(html, "children")["option"]["series"][0]["data"] == [100.0, 100.0]


def test_a_local_deadline_in_force_makes_a_task_overdue_earlier(
    tree: Tree, people: People, progressed: Campaign, branch_task: Task
):
    """(Every association has done or had waived its task.) Before the national deadline
    nothing is overdue; 安徽's earlier local deadline makes the
    branch's task overdue in 安徽 (and not in 江苏)."""
    today = datetime.date(2009, 5, 10)
    running = progressed
    assert selectors.progress_report(running, tree.root, today=today).overdue == []
    services.task_override_deadline(
        actor=Actor(user=people.anhui_admin), task=branch_task, unit=tree.anhui, deadline=d(5, 1)
    )
    for unit in (tree.root, tree.anhui, tree.hefei, tree.shushan, tree.branch):
        report = selectors.progress_report(running, unit, today=today)
        assert [(line.task.pk, line.deadline, line.not_done) for line in report.overdue] == [
            (branch_task.pk, d(5, 1), 1)
        ], unit.name
        assert report.overdue_total == 1
    root = selectors.progress_report(running, tree.root, today=today)
    assert root.child_overdue == {tree.anhui.pk: 1, tree.jiangsu.pk: 0}
    assert root.overdue[0].days_overdue == 9
    # On the national deadline's day itself nothing more is overdue.
    on_the_day = selectors.progress_report(running, tree.root, today=d(5, 20))
    assert [line.unit.pk for line in on_the_day.overdue] == [tree.anhui.pk]


def test_outside_the_users_area_is_404(tree: Tree, people: People, progressed: Campaign):
    assert client_for(people.outsider).get(_url(tree.hefei, progressed)).status_code == 404
    url = _url(tree.hefei, progressed, "campaigns:progress_export")
    assert client_for(people.outsider).get(url).status_code == 404


def test_a_campaign_that_does_not_concern_the_unit_is_404(
    tree: Tree, people: People, progressed: Campaign
):
    """A province's own campaign is not 江苏's business, nor the nation's page's; nor is a
    campaign that does not exist, nor a draft (a plan still being written)."""
    anhui = Actor(user=people.anhui_admin)
    anhui_campaign = services.campaign_create(
        actor=anhui, unit=tree.anhui, name="安徽建设年", year=2010
    )
    client = client_for(people.national)
    assert client.get(_url(tree.hefei, anhui_campaign)).status_code == 404  # a draft
    services.phase_create(
        actor=anhui,
        campaign=anhui_campaign,
        data={"name": "实施", "starts": d(3, 1, 2010), "ends": d(10, 31, 2010)},
    )
    services.campaign_start(actor=anhui, campaign=anhui_campaign)
    assert client.get(_url(tree.hefei, anhui_campaign)).status_code == 200
    assert client.get(_url(tree.xuanwu, anhui_campaign)).status_code == 404
    assert client.get(_url(tree.root, anhui_campaign)).status_code == 404
    missing = reverse("campaigns:progress", kwargs={"pk": tree.hefei.pk, "campaign_pk": 999999})
    assert client.get(missing).status_code == 404
    # The chooser offers both on 合肥's page; the crumbs above 安徽 lead to unit pages.
    html = client.get(_url(tree.hefei, anhui_campaign)).content.decode()
    assert _url(tree.hefei, progressed) in html
    crumbs = html.split('data-testid="breadcrumbs"')[1].split("</ol>")[0]
    assert reverse("org:unit", kwargs={"pk": tree.root.pk}) in crumbs
    assert _url(tree.anhui, anhui_campaign) in crumbs


def test_the_xlsx_holds_the_same_tables_and_is_audited(
    tree: Tree, people: People, progressed: Campaign
):
    response = client_for(people.hefei_admin, language="en").get(
        _url(tree.hefei, progressed, "campaigns:progress_export")
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].endswith('.xlsx"')
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["Table", "Name", "Code"]
    assert rows[0][-2:] == ["Reporting rate (%)", "On-time rate (%)"]
    by_name = {(r[0], r[1]): r for r in rows[1:]}
    assert by_name[("Campaign", "建设年")][6:15] == [3, 2, 1, 1, 0, 1, 1, 66.7, 33.3]
    assert by_name[("Phase", "准备动员")][6:12] == [2, 2, 1, 1, 0, 0]
    assert by_name[("Unit", "蜀山区个私协会")][2] == "340104"
    assert by_name[("Unit", "蜀山区个私协会")][6:15] == [2, 1, 1, 0, 0, 1, 1, 50, 50]
    task = by_name[("Task", "会员调查")]
    assert task[5] == datetime.datetime(2009, 5, 20) and task[6:12] == [1, 0, 0, 0, 0, 1]
    entry = AuditEntry.objects.get(action="security.export")
    assert entry.after is not None
    assert entry.after["what"] == "campaigns.progress"
    assert entry.after["filters"] == {"campaign": str(progressed.pk)}
    assert entry.unit_id == tree.hefei.pk


def test_the_export_needs_the_export_permission(tree: Tree, people: People, progressed: Campaign):
    """Branch staff see their page but do not export it."""
    client = client_for(people.branch_staff)
    assert client.get(_url(tree.branch, progressed)).status_code == 200
    html = client.get(_url(tree.branch, progressed)).content.decode()
    assert 'data-testid="export-xlsx"' not in html
    url = _url(tree.branch, progressed, "campaigns:progress_export")
    assert client.get(url).status_code == 403
    assert not AuditEntry.objects.filter(action="security.export").exists()


def test_the_overdue_list_is_paginated(tree: Tree, people: People, running: Campaign):
    """61 associations in 合肥, none has done 签收《规范》, and 蜀山区's branch its task: 62
    lines, 50 a page."""
    add_children(tree.hefei, 59)
    client = client_for(people.hefei_admin, language="en")
    html = client.get(_url(tree.hefei, running)).content.decode()
    assert html.count('data-testid="overdue-line"') == 50
    assert 'data-testid="total-overdue">62<' in html  # 61 associations, 1 branch
    page2 = client.get(_url(tree.hefei, running) + "?page=2").content.decode()
    assert page2.count('data-testid="overdue-line"') == 12


def _grow(parent: Unit, task: Task, n: int) -> None:
    units = add_children(parent, n)
    add_completions(task, units, [(None, "on_time", "late")[i % 3] for i in range(n)])


@pytest.mark.parametrize("unit_name", ["root", "anhui", "hefei"])
def test_progress_page_query_count_is_flat_from_10_to_1000_children(
    tree: Tree, people: People, running: Campaign, grassroots_task: Task, unit_name: str
):
    client = client_for(people.national, language="en")
    assert_queries_flat(
        client,
        _url(getattr(tree, unit_name), running),
        lambda n: _grow(tree.hefei, grassroots_task, n),
        label=unit_name,
    )


def test_export_query_count_is_flat_from_10_to_1000_children(
    tree: Tree, people: People, running: Campaign, grassroots_task: Task
):
    client = client_for(people.national, language="en")
    assert_queries_flat(
        client,
        _url(tree.hefei, running, "campaigns:progress_export"),
        lambda n: _grow(tree.hefei, grassroots_task, n),
    )


def test_at_1000_children_the_figures_are_right(
    tree: Tree, people: People, running: Campaign, grassroots_task: Task
):
    _grow(tree.hefei, grassroots_task, 999)
    report = selectors.progress_report(running, tree.hefei)
    grassroots = next(t for t in report.progress.tasks if t.task.pk == grassroots_task.pk)
    # 1,001 associations (蜀山, 包河 and the new ones): 666 done (333 on time, 333 late).
    assert (grassroots.progress.expected, grassroots.progress.done) == (1001, 666)
    assert (grassroots.progress.on_time, grassroots.progress.late) == (333, 333)
    assert len(report.progress.children) == 1001
    assert report.overdue_total == 1001 - 666 + 1  # and the branch's task
    assert Unit.objects.filter(parent=tree.hefei, level=Level.GRASSROOTS).count() == 1001
