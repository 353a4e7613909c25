"""The campaign endpoints of the API: campaigns seen from the user's unit with their plan in ISO
dates, progress from the summary rows (flat query count), a unit's own task states, and
completing a form or meeting task — 404 outside the user's subtree, 403 without
`Perm.CAMPAIGN_REPORT`, 400 naming the field, 409 with a stable code for a state conflict."""

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import People, Tree, client_for
from jiceng.campaigns import completion, services
from jiceng.campaigns.models import (
    Campaign,
    Phase,
    Task,
    TaskCompletion,
    TaskProgressProvinceTotal,
)
from jiceng.core.actor import Actor
from jiceng.core.models import AuditEntry
from jiceng.core.tests.helpers import add_children, assert_queries_flat
from jiceng.org.models import Unit

from .conftest import SHANGHAI, add_associations_with_progress, d

HUGE = "9223372036854775808"  # 2**63: one past the largest key


def _list() -> str:
    return reverse("api:campaign-list")


def _detail(campaign: Campaign) -> str:
    return reverse("api:campaign-detail", kwargs={"pk": campaign.pk})


def _progress(campaign: Campaign) -> str:
    return reverse("api:campaign-progress", kwargs={"pk": campaign.pk})


def _tasks(unit: Unit) -> str:
    return reverse("api:unit-tasks", kwargs={"pk": unit.pk})


def _complete(unit: Unit, task: Task) -> str:
    return reverse("api:unit-task-complete", kwargs={"pk": unit.pk, "task_pk": task.pk})


def _post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def live(running: Campaign, form_task: Task, meeting_task: Task) -> Campaign:
    """The running 2009 campaign: for grassroots associations an acknowledgement (due 31
    March), a meeting (20 March) and a form task (31 May); for branches a form task (20 May)."""
    return running


@pytest.fixture
def anhui_campaign(tree: Tree, people: People) -> Campaign:
    """安徽's own campaign, a draft: seen from 安徽 and from the nation, not from 江苏."""
    return services.campaign_create(
        actor=Actor(user=people.anhui_admin), unit=tree.anhui, name="安徽省建设年", year=2010
    )


# --- The campaigns -----------------------------------------------------------------------------


def _names(client: Client) -> list[str]:
    response = client.get(_list())
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    return [c["name"] for c in body["results"]]


def test_the_list_holds_the_campaigns_seen_from_the_users_unit(
    live: Campaign, anhui_campaign: Campaign, people: People
):
    # Run above the user (建设年) or by the user's unit or inside its subtree (安徽省建设年);
    # latest year first.
    assert _names(client_for(people.national)) == ["安徽省建设年", "建设年"]
    assert _names(client_for(people.anhui_admin)) == ["安徽省建设年", "建设年"]
    assert _names(client_for(people.branch_staff)) == ["安徽省建设年", "建设年"]
    assert _names(client_for(people.outsider)) == ["建设年"]


def test_a_list_item(live: Campaign, tree: Tree, people: People):
    item = client_for(people.branch_staff).get(_list()).json()["results"][0]
    assert item == {
        "id": live.pk,
        "name": "建设年",
        "year": 2009,
        "status": "running",
        "unit_id": tree.root.pk,
        "unit_name": tree.root.name,
    }


def test_the_detail_has_the_plan_with_iso_dates(
    live: Campaign, grassroots_task: Task, branch_task: Task, meeting_task: Task, people: People
):
    response = client_for(people.shushan_secretary).get(_detail(live))
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("id", "name", "year", "status")} == {
        "id": live.pk,
        "name": "建设年",
        "year": 2009,
        "status": "running",
    }
    assert [(p["name"], p["starts"], p["ends"]) for p in body["phases"]] == [
        ("准备动员", "2009-03-01", "2009-03-31"),
        ("调查研究", "2009-04-01", "2009-05-31"),
    ]
    first = body["phases"][0]
    assert [t["title"] for t in first["tasks"]] == ["召开动员会", "签收《规范》"]
    task = first["tasks"][1]
    assert task == {
        "id": grassroots_task.pk,
        "phase": first["id"],
        "level": "grassroots",
        "title": "签收《规范》",
        "description": "",
        "deadline": "2009-03-31",
        "completion": "acknowledge",
    }
    second = body["phases"][1]
    assert {t["id"] for t in second["tasks"]} >= {branch_task.pk}


def test_a_local_plans_tasks_are_not_in_the_campaigns_plan(
    live: Campaign, tree: Tree, people: People
):
    phase = live.phases.get(order=1)
    services.task_create(
        actor=Actor(user=people.anhui_admin),
        phase=phase,
        owner_unit=tree.anhui,
        data={"level": "city", "title": "安徽的任务", "deadline": d(3, 15), "completion": "form"},
    )
    body = client_for(people.national).get(_detail(live)).json()
    titles = [t["title"] for p in body["phases"] for t in p["tasks"]]
    assert "安徽的任务" not in titles


def test_a_campaign_outside_what_the_user_sees_is_404(
    live: Campaign, anhui_campaign: Campaign, people: People
):
    outsider = client_for(people.outsider)
    assert outsider.get(_detail(anhui_campaign)).status_code == 404
    assert outsider.get(_progress(anhui_campaign)).status_code == 404
    assert outsider.get(_detail(live)).status_code == 200
    assert client_for(people.viewer).get(_detail(anhui_campaign)).status_code == 200
    missing = client_for(people.national, language="en").get("/api/v1/campaigns/999999/")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not found."}


# --- Progress ----------------------------------------------------------------------------------


@pytest.fixture
def progressed(progressed: Campaign, live: Campaign) -> Campaign:
    """conftest's progress, with the form and meeting tasks of `live` as well."""
    return live


FIGURES = ("expected", "done", "on_time", "late", "waived", "not_done")


def _figures(row: dict[str, Any]) -> tuple[int, ...]:
    return tuple(row[k] for k in FIGURES)


def test_progress_per_task_per_child_and_in_all(
    progressed: Campaign, grassroots_task: Task, branch_task: Task, tree: Tree, people: People
):
    response = client_for(people.national).get(_progress(progressed))
    assert response.status_code == 200
    body = response.json()
    assert (body["campaign_id"], body["unit_id"]) == (progressed.pk, tree.root.pk)
    tasks = {t["id"]: t for t in body["tasks"]}
    ack = tasks[grassroots_task.pk]
    assert _figures(ack) == (3, 2, 1, 1, 1, 0)
    assert (ack["title"], ack["level"], ack["deadline"]) == (
        "签收《规范》",
        "grassroots",
        "2009-03-31",
    )
    assert ack["reporting_rate"] == "1.0000" and ack["on_time_rate"] == "0.3333"
    assert _figures(tasks[branch_task.pk]) == (1, 0, 0, 0, 0, 1)
    children = {c["id"]: c for c in body["children"]}
    anhui = children[tree.anhui.pk]
    assert (anhui["code"], anhui["name"], anhui["level"]) == ("340000", tree.anhui.name, "province")
    # 安徽: 2 associations × 3 grassroots tasks + 1 branch task; 2 done (1 on time).
    assert _figures(anhui) == (7, 2, 1, 1, 0, 5)
    assert anhui["reporting_rate"] == "0.2857" and anhui["on_time_rate"] == "0.1429"
    jiangsu = children[tree.jiangsu.pk]
    assert _figures(jiangsu) == (3, 0, 0, 0, 1, 2)
    assert _figures(body["total"]) == (10, 2, 1, 1, 1, 7)


def test_progress_drills_down_with_the_same_figures(
    progressed: Campaign, tree: Tree, people: People
):
    client = client_for(people.national)
    national = client.get(_progress(progressed)).json()
    anhui = next(c for c in national["children"] if c["id"] == tree.anhui.pk)
    province = client.get(_progress(progressed), {"unit": tree.anhui.pk}).json()
    assert province["unit_id"] == tree.anhui.pk
    assert _figures(province["total"]) == _figures(anhui)
    assert province["total"]["reporting_rate"] == anhui["reporting_rate"]
    # The default unit is the user's own.
    own = client_for(people.hefei_admin).get(_progress(progressed)).json()
    assert own["unit_id"] == tree.hefei.pk
    assert [c["id"] for c in own["children"]] == [tree.shushan.pk, tree.baohe.pk]


def test_a_rate_is_null_when_nothing_is_expected(live: Campaign, tree: Tree, people: People):
    body = client_for(people.national).get(_progress(live), {"unit": tree.branch.pk}).json()
    group = body["children"][0]
    assert group["id"] == tree.group.pk
    assert group["expected"] == 0
    assert group["reporting_rate"] is None and group["on_time_rate"] is None


def test_progress_unit_outside_the_area_is_404_and_malformed_400(
    live: Campaign, tree: Tree, people: People
):
    client = client_for(people.hefei_admin, language="en")
    assert client.get(_progress(live), {"unit": tree.xuanwu.pk}).status_code == 404
    assert client.get(_progress(live), {"unit": 999999}).status_code == 404
    for value in ("abc", "0", "-1", "1.5", HUGE):
        response = client.get(_progress(live), {"unit": value})
        assert response.status_code == 400, value
        assert list(response.json()) == ["unit"], value
    assert client.get(_progress(live), {"unit": ""}).status_code == 200


def test_progress_of_a_campaign_not_seen_from_the_unit_is_404(
    live: Campaign, anhui_campaign: Campaign, tree: Tree, people: People
):
    client = client_for(people.national)
    assert client.get(_progress(anhui_campaign)).status_code == 200
    assert client.get(_progress(anhui_campaign), {"unit": tree.hefei.pk}).status_code == 200
    assert client.get(_progress(anhui_campaign), {"unit": tree.jiangsu.pk}).status_code == 404


@pytest.mark.parametrize("unit_name", ["root", "anhui", "hefei"])
def test_progress_query_count_is_flat_from_10_to_1000_children(
    live: Campaign, form_task: Task, tree: Tree, people: People, unit_name: str
):
    client = client_for(people.national)
    url = f"{_progress(live)}?unit={getattr(tree, unit_name).pk}"
    assert_queries_flat(
        client,
        url,
        lambda n: add_associations_with_progress(tree.hefei, form_task, n),
        label=unit_name,
    )
    body = client.get(url).json()
    row = next(t for t in body["tasks"] if t["id"] == form_task.pk)
    assert row["done"] == 1000


# --- A unit's own tasks ------------------------------------------------------------------------


def test_a_units_task_states(
    live: Campaign,
    grassroots_task: Task,
    form_task: Task,
    meeting_task: Task,
    tree: Tree,
    people: People,
):
    completion.task_complete(
        actor=Actor(user=people.shushan_secretary),
        task=grassroots_task,
        unit=tree.shushan,
        done_at=datetime.datetime(2009, 3, 31, 23, 59, tzinfo=SHANGHAI),
    )
    completion.task_waive(
        actor=Actor(user=people.hefei_admin), task=meeting_task, unit=tree.shushan, reason="合并"
    )
    response = client_for(people.shushan_secretary).get(_tasks(tree.shushan))
    assert response.status_code == 200
    body = response.json()
    assert body["unit_id"] == tree.shushan.pk
    assert body["campaign"] == {"id": live.pk, "name": "建设年", "year": 2009, "status": "running"}
    rows = {r["id"]: r for r in body["results"]}
    assert [r["id"] for r in body["results"]] == [meeting_task.pk, grassroots_task.pk, form_task.pk]
    ack = rows[grassroots_task.pk]
    assert ack["state"] == "done" and ack["on_time"] is True
    assert ack["done_at"].startswith("2009-03-31T23:59:00") and ack["done_at"].endswith("+08:00")
    assert ack["done_by"] == "shushan"
    assert ack["waived_reason"] is None and ack["waived_by"] is None
    assert (ack["phase_name"], ack["level"], ack["completion"], ack["deadline"]) == (
        "准备动员",
        "grassroots",
        "acknowledge",
        "2009-03-31",
    )
    waived = rows[meeting_task.pk]
    assert waived["state"] == "waived" and waived["waived_reason"] == "合并"
    assert waived["waived_by"] == "hefei" and waived["on_time"] is None
    assert waived["done_at"] is None and waived["done_by"] is None
    overdue = rows[form_task.pk]  # 2009: long past its deadline
    assert overdue["state"] == "overdue" and overdue["on_time"] is None


def test_the_default_campaign_is_the_latest_running_one(
    live: Campaign, form_task: Task, people: People
):
    year = datetime.date.today().year + 1
    current = services.campaign_create(
        actor=Actor(user=people.national), unit=live.unit, name="明年", year=year
    )
    phase = services.phase_create(
        actor=Actor(user=people.national),
        campaign=current,
        data={"name": "全年", "starts": d(1, 1, year), "ends": d(12, 31, year)},
    )
    task = services.task_create(
        actor=Actor(user=people.national),
        phase=phase,
        owner_unit=live.unit,
        data={
            "level": "grassroots",
            "title": "明年的任务",
            "deadline": d(12, 31, year),
            "completion": "form",
        },
    )
    services.campaign_start(actor=Actor(user=people.national), campaign=current)
    client = client_for(people.shushan_secretary)
    unit = people.shushan_secretary.unit
    # The latest running campaign is the default; an earlier one by its id.
    body = client.get(_tasks(unit)).json()
    assert body["campaign"]["id"] == current.pk
    assert [(r["id"], r["state"]) for r in body["results"]] == [(task.pk, "not_done")]
    earlier = client.get(_tasks(unit), {"campaign": live.pk}).json()
    assert earlier["campaign"]["id"] == live.pk
    done = _post_json(client, _complete(unit, form_task), {"note": "迟交"}).json()
    assert done["state"] == "done" and done["on_time"] is False


def test_the_deadline_in_force_is_the_local_one(
    live: Campaign, form_task: Task, tree: Tree, people: People
):
    services.task_override_deadline(
        actor=Actor(user=people.anhui_admin), task=form_task, unit=tree.anhui, deadline=d(5, 1)
    )
    rows = client_for(people.shushan_secretary).get(_tasks(tree.shushan)).json()["results"]
    assert next(r for r in rows if r["id"] == form_task.pk)["deadline"] == "2009-05-01"


def test_no_running_campaign_is_an_empty_answer(campaign: Campaign, tree: Tree, people: People):
    body = client_for(people.shushan_secretary).get(_tasks(tree.shushan)).json()
    assert body == {"unit_id": tree.shushan.pk, "campaign": None, "results": []}


def test_unit_tasks_scope_and_bad_parameters(
    live: Campaign, anhui_campaign: Campaign, tree: Tree, people: People
):
    client = client_for(people.shushan_secretary, language="en")
    assert client.get(_tasks(tree.baohe)).status_code == 404  # a sibling association
    assert client.get(_tasks(tree.branch)).status_code == 200  # below
    assert client_for(people.outsider).get(_tasks(tree.shushan)).status_code == 404
    for value in ("abc", "0", HUGE, "1.5"):
        response = client.get(_tasks(tree.shushan), {"campaign": value})
        assert response.status_code == 400, value
        assert list(response.json()) == ["campaign"]
    # A campaign the unit does not take part in: unknown, or run by a unit below the user's.
    assert client.get(_tasks(tree.shushan), {"campaign": 999999}).status_code == 404
    national = client_for(people.national)
    assert national.get(_tasks(tree.jiangsu), {"campaign": anhui_campaign.pk}).status_code == 404
    assert national.get(_tasks(tree.hefei), {"campaign": anhui_campaign.pk}).status_code == 200


@pytest.mark.parametrize("unit_name", ["shushan", "anhui"])
def test_unit_tasks_query_count_is_flat(live: Campaign, tree: Tree, people: People, unit_name: str):
    unit = getattr(tree, unit_name)
    assert_queries_flat(
        client_for(people.national),
        _tasks(unit),
        lambda n: add_children(unit, n),
        label=unit_name,
    )


# --- Completing a task -------------------------------------------------------------------------


def test_a_secretary_completes_a_form_task(
    live: Campaign, form_task: Task, tree: Tree, people: People
):
    client = client_for(people.shushan_secretary)
    response = _post_json(client, _complete(tree.shushan, form_task), {"note": " 已自查 "})
    assert response.status_code == 200, response.content
    state = response.json()
    assert state["id"] == form_task.pk and state["state"] == "done"
    assert state["done_by"] == "shushan" and state["on_time"] is False  # 2009's deadline
    row = TaskCompletion.objects.get(task=form_task, unit=tree.shushan)
    assert row.evidence == {"note": "已自查"} and row.done_by == people.shushan_secretary
    assert AuditEntry.objects.filter(action="campaign.task.complete", unit=tree.shushan).exists()
    # The city sees it in the figures.
    body = client_for(people.hefei_admin).get(_progress(live)).json()
    assert next(t for t in body["tasks"] if t["id"] == form_task.pk)["done"] == 1
    # Again: a state conflict with a stable code, nothing changed.
    again = _post_json(client, _complete(tree.shushan, form_task), {"note": "再次"})
    assert again.status_code == 409
    assert again.json()["code"] == "already_done" and again.json()["detail"]
    assert TaskCompletion.objects.filter(task=form_task, unit=tree.shushan).count() == 1


def test_a_form_body_works_too(live: Campaign, branch_task: Task, tree: Tree, people: People):
    response = client_for(people.branch_staff).post(
        _complete(tree.branch, branch_task), {"note": "分会已调查"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "done"


def test_a_meeting_task_with_its_record(
    live: Campaign, meeting_task: Task, tree: Tree, people: People
):
    client = client_for(people.shushan_secretary)
    body = {"date": "2009-03-10", "place": "区政府礼堂", "attendance": 120, "note": "动员"}
    response = _post_json(client, _complete(tree.shushan, meeting_task), body)
    assert response.status_code == 200, response.content
    row = TaskCompletion.objects.get(task=meeting_task, unit=tree.shushan)
    assert row.evidence == {
        "note": "动员",
        "fields": {"date": "2009-03-10", "place": "区政府礼堂", "attendance": 120},
    }


@pytest.mark.parametrize(
    ("task_name", "body", "fields"),
    [
        ("form_task", {}, ["note"]),
        ("form_task", {"note": "   "}, ["note"]),
        ("form_task", {"note": "x" * 2001}, ["note"]),
        ("form_task", {"note": 12}, ["note"]),
        ("form_task", {"note": "a\x00b"}, ["note"]),
        ("form_task", ["note"], ["non_field_errors"]),
        ("meeting_task", {"note": "只有备注"}, ["attendance", "date", "place"]),
        ("meeting_task", {"date": "2009-3-10x", "place": "礼堂", "attendance": 5}, ["date"]),
        ("meeting_task", {"date": "2999-01-01", "place": "礼堂", "attendance": 5}, ["date"]),
        ("meeting_task", {"date": "2009-03-10", "place": "礼堂", "attendance": 0}, ["attendance"]),
        (
            "meeting_task",
            {"date": "2009-03-10", "place": "礼堂", "attendance": "5"},
            ["attendance"],
        ),
        (
            "meeting_task",
            {"date": "2009-03-10", "place": "礼堂", "attendance": True},
            ["attendance"],
        ),
        ("meeting_task", {"date": "2009-03-10", "place": 7, "attendance": 5}, ["place"]),
    ],
)
def test_bad_fields_are_400_naming_them_and_nothing_is_saved(
    request: pytest.FixtureRequest,
    live: Campaign,
    tree: Tree,
    people: People,
    task_name: str,
    body: Any,
    fields: list[str],
):
    task: Task = request.getfixturevalue(task_name)
    client = client_for(people.shushan_secretary, language="en")
    response = _post_json(client, _complete(tree.shushan, task), body)
    assert response.status_code == 400, response.content
    assert sorted(response.json()) == fields
    assert all(isinstance(m, str) for v in response.json().values() for m in v)
    assert not TaskCompletion.objects.filter(task=task).exists()
    assert not TaskProgressProvinceTotal.objects.filter(task=task).exists()


def test_messages_speak_the_users_language(live: Campaign, form_task: Task, tree: Tree, people):
    chinese = _post_json(
        client_for(people.shushan_secretary), _complete(tree.shushan, form_task), {}
    )
    assert chinese.status_code == 400 and chinese.json()["note"] == ["此项为必填项。"]


def test_a_task_completed_another_way_is_409(
    live: Campaign, grassroots_task: Task, tree: Tree, people: People
):
    response = _post_json(
        client_for(people.shushan_secretary),
        _complete(tree.shushan, grassroots_task),
        {"note": "x"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_completion_kind"
    assert not TaskCompletion.objects.exists()


def test_a_waived_task_is_409(live: Campaign, form_task: Task, tree: Tree, people: People):
    completion.task_waive(
        actor=Actor(user=people.hefei_admin), task=form_task, unit=tree.shushan, reason="合并"
    )
    response = _post_json(
        client_for(people.shushan_secretary), _complete(tree.shushan, form_task), {"note": "x"}
    )
    assert response.status_code == 409 and response.json()["code"] == "already_waived"


def test_a_campaign_not_running_is_409(live: Campaign, form_task: Task, tree: Tree, people: People):
    services.campaign_close(actor=Actor(user=people.national), campaign=live)
    response = _post_json(
        client_for(people.shushan_secretary), _complete(tree.shushan, form_task), {"note": "x"}
    )
    assert response.status_code == 409 and response.json()["code"] == "campaign_not_running"
    assert not TaskCompletion.objects.exists()


def test_who_may_complete(live: Campaign, form_task: Task, tree: Tree, people: People):
    url = _complete(tree.shushan, form_task)
    # Scope first: outside the subtree 404, whatever the role may do.
    assert _post_json(client_for(people.outsider), url, {"note": "x"}).status_code == 404
    assert _post_json(client_for(people.baohe_secretary), url, {"note": "x"}).status_code == 404
    # Inside, a role without Perm.CAMPAIGN_REPORT: 403 (before the body is read).
    for user in (people.viewer, people.reviewer):
        response = _post_json(client_for(user), url, {})
        assert response.status_code == 403 and "detail" in response.json()
    # A unit above with the permission may record it.
    assert _post_json(client_for(people.hefei_admin), url, {"note": "代报"}).status_code == 200


def test_a_task_that_is_not_the_units_is_404(
    live: Campaign, branch_task: Task, form_task: Task, tree: Tree, people: People
):
    client = client_for(people.national)
    # A branch task on an association, an association's task on a branch.
    assert (
        _post_json(client, _complete(tree.shushan, branch_task), {"note": "x"}).status_code == 404
    )
    assert _post_json(client, _complete(tree.branch, form_task), {"note": "x"}).status_code == 404
    # A local plan's task outside its owner's subtree.
    local = services.task_create(
        actor=Actor(user=people.outsider),
        phase=live.phases.get(order=2),
        owner_unit=tree.jiangsu,
        data={
            "level": "grassroots",
            "title": "江苏的任务",
            "deadline": d(5, 1),
            "completion": "form",
        },
    )
    assert _post_json(client, _complete(tree.shushan, local), {"note": "x"}).status_code == 404
    assert _post_json(client, _complete(tree.xuanwu, local), {"note": "x"}).status_code == 200
    # A local deadline row is not a task of its own.
    override = services.task_override_deadline(
        actor=Actor(user=people.anhui_admin), task=form_task, unit=tree.anhui, deadline=d(5, 1)
    )
    assert _post_json(client, _complete(tree.baohe, override), {"note": "x"}).status_code == 404


def test_only_post_completes(live: Campaign, form_task: Task, tree: Tree, people: People):
    client = client_for(people.shushan_secretary)
    response = client.get(_complete(tree.shushan, form_task))
    assert response.status_code == 405
    assert not TaskCompletion.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/campaigns/abc/",
        f"/api/v1/campaigns/{HUGE}/",
        "/api/v1/campaigns/0/progress/",
        "/api/v1/units/-1/tasks/",
        f"/api/v1/units/1/tasks/{HUGE}/complete/",
    ],
)
def test_a_malformed_path_id_is_the_apis_json_404(people: People, path: str):
    response = client_for(people.national, language="en").get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_the_schema_documents_the_endpoints(people: People):
    schema = client_for(people.viewer).get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    complete = paths["/api/v1/units/{id}/tasks/{task_pk}/complete/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(complete["responses"])
    progress = paths["/api/v1/campaigns/{id}/progress/"]["get"]
    assert [p["name"] for p in progress["parameters"] if p["in"] == "query"] == ["unit"]
    assert {"200", "400", "403", "404"} <= set(progress["responses"])
    tasks = paths["/api/v1/units/{id}/tasks/"]["get"]
    assert [p["name"] for p in tasks["parameters"] if p["in"] == "query"] == ["campaign"]
    assert "/api/v1/campaigns/" in paths and "/api/v1/campaigns/{id}/" in paths


def test_a_document_task_needs_its_file_on_the_tab(
    live: Campaign, phases: list[Phase], tree: Tree, people: People
):
    document = services.task_create(
        actor=Actor(user=people.national),
        phase=phases[0],
        owner_unit=tree.root,
        data={
            "level": "grassroots",
            "title": "实施方案",
            "deadline": d(3, 25),
            "completion": "document",
        },
    )
    response = _post_json(
        client_for(people.shushan_secretary), _complete(tree.shushan, document), {"note": "x"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_completion_kind"
