"""The campaign tab (建设年): a unit's own tasks and their states, completing a form or meeting
task with its evidence, a parent waiving a child's task, and the progress table with its
drill-down, read from the summary rows in a flat number of queries."""

import datetime

import pytest
from django.urls import reverse

from conftest import People, Tree, client_for
from jiceng.campaigns import services
from jiceng.campaigns.models import Campaign, Task, TaskCompletion
from jiceng.core.actor import Actor
from jiceng.core.tests.helpers import assert_queries_flat
from jiceng.org.models import Unit

from .conftest import add_associations_with_progress, d


def _tab(unit: Unit) -> str:
    return reverse("campaigns:unit_campaign", kwargs={"pk": unit.pk})


def _complete(unit: Unit, task: Task) -> str:
    return reverse("campaigns:task_complete", kwargs={"pk": unit.pk, "task_pk": task.pk})


def _waive(unit: Unit, task: Task) -> str:
    return reverse("campaigns:task_waive", kwargs={"pk": unit.pk, "task_pk": task.pk})


@pytest.fixture
def tab(running: Campaign, form_task: Task, meeting_task: Task) -> Campaign:
    """The running 2009 campaign: for grassroots associations an acknowledgement, a form and a
    meeting task; for branches a form task."""
    return running


def test_the_tab_lists_the_units_tasks_with_their_states(tree: Tree, people: People, tab):
    client = client_for(people.shushan_secretary, language="en")
    body = client.get(reverse("org:unit", kwargs={"pk": tree.shushan.pk})).content.decode()
    assert _tab(tree.shushan) in body  # the tab is registered on the unit page
    body = client.get(_tab(tree.shushan)).content.decode()
    assert "建设年" in body
    for title in ("签收《规范》", "自查", "召开动员会"):
        assert title in body
    assert "会员调查" not in body.split('data-testid="own-tasks"')[1].split("</section>")[0]
    assert "Overdue" in body  # 2009's deadlines have passed
    assert body.count('data-testid="complete-form"') == 2  # form and meeting, not acknowledge
    assert 'data-testid="waive-form"' not in body  # the secretary waives nothing


def test_secretary_completes_a_form_task_and_the_city_sees_it(
    tree: Tree, people: People, tab, form_task: Task
):
    client = client_for(people.shushan_secretary, language="en")
    response = client.post(_complete(tree.shushan, form_task), {f"t{form_task.pk}-note": "已自查"})
    assert response.status_code == 302
    row = TaskCompletion.objects.get(task=form_task, unit=tree.shushan)
    assert row.evidence == {"note": "已自查"} and row.done_by == people.shushan_secretary
    body = client.get(_tab(tree.shushan)).content.decode()
    assert "Done late" in body  # done now, after 31 May 2009
    hefei = client_for(people.hefei_admin, language="en").get(_tab(tree.hefei)).content.decode()
    assert _tab(tree.shushan) in hefei  # drill down to the child
    # 蜀山区: 1 of 4 tasks done (3 of its own, 1 of its branch); 包河区: none.
    assert "25.0%" in hefei


def test_a_form_task_needs_a_note(tree: Tree, people: People, tab, form_task: Task):
    client = client_for(people.shushan_secretary)  # Chinese
    response = client.post(_complete(tree.shushan, form_task), {f"t{form_task.pk}-note": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-field="note"' in body and "此项为必填项" in body
    assert not TaskCompletion.objects.exists()


def test_a_meeting_needs_date_place_and_attendance(
    tree: Tree, people: People, tab, meeting_task: Task
):
    client = client_for(people.shushan_secretary, language="en")
    prefix = f"t{meeting_task.pk}"
    response = client.post(
        _complete(tree.shushan, meeting_task),
        {f"{prefix}-date": "2009-03-15", f"{prefix}-place": "", f"{prefix}-attendance": "0"},
    )
    body = response.content.decode()
    assert 'data-field="place"' in body and 'data-field="attendance"' in body
    assert not TaskCompletion.objects.exists()
    response = client.post(
        _complete(tree.shushan, meeting_task),
        {
            f"{prefix}-date": "2009-03-15",
            f"{prefix}-place": "区协会议室",
            f"{prefix}-attendance": "45",
        },
    )
    assert response.status_code == 302
    row = TaskCompletion.objects.get(task=meeting_task, unit=tree.shushan)
    assert row.evidence["fields"] == {"date": "2009-03-15", "place": "区协会议室", "attendance": 45}


def test_completing_twice_says_so(tree: Tree, people: People, tab, form_task: Task):
    client = client_for(people.shushan_secretary, language="en")
    data = {f"t{form_task.pk}-note": "已自查"}
    client.post(_complete(tree.shushan, form_task), data)
    response = client.post(_complete(tree.shushan, form_task), data, follow=True)
    assert "has already done" in response.content.decode()
    assert TaskCompletion.objects.filter(task=form_task).count() == 1


def test_the_city_waives_a_childs_task_with_a_reason(
    tree: Tree, people: People, tab, form_task: Task
):
    client = client_for(people.hefei_admin, language="en")
    body = client.get(_tab(tree.shushan)).content.decode()
    assert 'data-testid="waive-form"' in body
    response = client.post(_waive(tree.shushan, form_task), {f"w{form_task.pk}-reason": " "})
    assert response.status_code == 200
    assert 'data-field="reason"' in response.content.decode()
    assert "Give the reason" in response.content.decode()
    response = client.post(
        _waive(tree.shushan, form_task), {f"w{form_task.pk}-reason": "机构调整中"}
    )
    assert response.status_code == 302
    row = TaskCompletion.objects.get(task=form_task, unit=tree.shushan)
    assert row.state == "waived" and row.waived_reason == "机构调整中"
    assert "Waived" in client.get(_tab(tree.shushan)).content.decode()


def test_a_unit_cannot_waive_its_own_task(tree: Tree, people: People, tab, form_task: Task):
    """The city has no waive form on its own tab (its parent decides), and posting is refused."""
    client = client_for(people.hefei_admin, language="en")
    body = client.get(_tab(tree.hefei)).content.decode()
    assert 'data-testid="waive-form"' not in body
    # Hefei has no city task in this campaign: a grassroots task on the city is refused.
    response = client.post(_waive(tree.hefei, form_task), {f"w{form_task.pk}-reason": "x"})
    assert response.status_code == 200
    assert "This unit is outside your area." in response.content.decode()
    assert not TaskCompletion.objects.exists()


def test_no_running_campaign(tree: Tree, people: People, campaign: Campaign):
    body = client_for(people.hefei_admin, language="en").get(_tab(tree.hefei)).content.decode()
    assert "No campaign is running" in body


def test_same_figures_at_each_step(tree: Tree, people: People, tab, form_task: Task):
    client = client_for(people.national, language="en")
    client_for(people.shushan_secretary).post(
        _complete(tree.shushan, form_task), {f"t{form_task.pk}-note": "已自查"}
    )
    for unit in (tree.root, tree.anhui, tree.hefei):
        body = client.get(_tab(unit)).content.decode()
        assert 'data-testid="campaign-children"' in body
        assert 'data-testid="campaign-tasks"' in body


@pytest.mark.parametrize("unit_name", ["root", "anhui", "hefei"])
def test_campaign_tab_query_count_is_flat_from_10_to_1000_children(
    tree: Tree, people: People, tab, form_task: Task, unit_name: str
):
    client = client_for(people.national, language="en")
    assert_queries_flat(
        client,
        _tab(getattr(tree, unit_name)),
        lambda n: add_associations_with_progress(tree.hefei, form_task, n),
        label=unit_name,
    )


def test_own_tasks_show_the_deadline_in_force(tree: Tree, people: People, tab, form_task: Task):
    services.task_override_deadline(
        actor=Actor(user=people.anhui_admin), task=form_task, unit=tree.anhui, deadline=d(5, 1)
    )
    body = client_for(people.shushan_secretary, language="en").get(_tab(tree.shushan))
    assert "2009-05-01" in body.content.decode()
    assert datetime.date(2009, 5, 1).isoformat() in body.content.decode()
