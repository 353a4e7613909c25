"""Tasks completed by a condition another part of the system reports: the leading group
recorded with a leader and an office."""

import pytest

from conftest import People, Tree
from jiceng.campaigns import conditions, services
from jiceng.campaigns.models import (
    Campaign,
    CompletionState,
    Condition,
    Phase,
    Task,
    TaskCompletion,
)
from jiceng.campaigns.models import TaskCompletion as Row
from jiceng.core.actor import Actor
from jiceng.org import services as org_services
from jiceng.org.models.profile import LeadingGroupMember

from .conftest import d


@pytest.fixture
def condition_task(phases: list[Phase], tree: Tree, national_actor: Actor) -> Task:
    return services.task_create(
        actor=national_actor,
        phase=phases[0],
        owner_unit=tree.root,
        data={
            "level": "grassroots",
            "title": "成立领导小组",
            "deadline": d(3, 31),
            "completion": "condition",
            "condition": Condition.LEADING_GROUP_RECORDED,
        },
    )


def _member(people: People, unit, role: str, name: str) -> LeadingGroupMember:
    return org_services.profile_item_create(
        actor=Actor(user=people.national),
        unit=unit,
        model=LeadingGroupMember,
        data={"name": name, "role": role},
    )


def test_recording_a_leader_and_an_office_completes_the_task(
    campaign: Campaign, condition_task: Task, tree: Tree, people: People, national_actor: Actor
):
    services.campaign_start(actor=national_actor, campaign=campaign)
    _member(people, tree.shushan, "leader", "张组长")
    assert not TaskCompletion.objects.filter(task=condition_task).exists()
    _member(people, tree.shushan, "office_director", "李主任")
    row = TaskCompletion.objects.get(task=condition_task, unit=tree.shushan)
    assert row.state == CompletionState.DONE
    assert row.done_by is None  # the system
    assert row.evidence["condition"] == Condition.LEADING_GROUP_RECORDED
    assert Row.objects.get(task=condition_task, unit_id=tree.shushan.pk).done_count == 1
    # Only that unit: its sibling has no leading group.
    assert not TaskCompletion.objects.filter(task=condition_task, unit=tree.baohe).exists()


def test_a_draft_campaign_waits_and_starting_it_sweeps(
    campaign: Campaign, condition_task: Task, tree: Tree, people: People, national_actor: Actor
):
    _member(people, tree.shushan, "leader", "张组长")
    _member(people, tree.shushan, "office_director", "李主任")
    assert not TaskCompletion.objects.exists()  # not running yet
    services.campaign_start(actor=national_actor, campaign=campaign)
    assert list(TaskCompletion.objects.values_list("unit_id", flat=True)) == [tree.shushan.pk]


def test_a_condition_task_added_to_a_running_campaign_sweeps(
    running: Campaign, phases: list[Phase], tree: Tree, people: People, national_actor: Actor
):
    _member(people, tree.baohe, "leader", "王组长")
    _member(people, tree.baohe, "office_director", "赵主任")
    task = services.task_create(
        actor=national_actor,
        phase=phases[0],
        owner_unit=tree.root,
        data={
            "level": "grassroots",
            "title": "成立领导小组",
            "deadline": d(3, 31),
            "completion": "condition",
            "condition": Condition.LEADING_GROUP_RECORDED,
        },
    )
    assert TaskCompletion.objects.get(task=task).unit_id == tree.baohe.pk
    assert conditions.sweep(running) == 0  # nothing twice


def test_other_profile_changes_and_other_levels_complete_nothing(
    campaign: Campaign, condition_task: Task, tree: Tree, people: People, national_actor: Actor
):
    services.campaign_start(actor=national_actor, campaign=campaign)
    # A branch meeting the condition: the task is for grassroots associations.
    _member(people, tree.branch, "leader", "分会组长")
    _member(people, tree.branch, "office_director", "分会主任")
    assert not TaskCompletion.objects.exists()
    assert conditions.meets(
        Condition.LEADING_GROUP_RECORDED, [tree.branch.pk, tree.shushan.pk]
    ) == {tree.branch.pk}
