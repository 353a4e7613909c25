"""Local plans (实施方案): a province or city adds tasks for its subtree and brings deadlines
forward, never later, and never removes a national task."""

import pytest
from django.core.exceptions import ValidationError

from conftest import People, Tree
from jiceng.campaigns import selectors, services
from jiceng.campaigns.models import Campaign, Phase, Task
from jiceng.core.actor import Actor
from jiceng.core.errors import ForbiddenAction
from jiceng.core.models import AuditEntry

from .conftest import d


@pytest.fixture
def anhui(people: People) -> Actor:
    return Actor(user=people.anhui_admin)


@pytest.fixture
def hefei(people: People) -> Actor:
    return Actor(user=people.hefei_admin)


def test_a_province_adds_a_task_for_its_subtree(phases: list[Phase], tree: Tree, anhui: Actor):
    task = services.task_create(
        actor=anhui,
        phase=phases[1],
        owner_unit=tree.anhui,
        data={
            "level": "grassroots",
            "title": "走访会员",
            "deadline": d(5, 1),
            "completion": "form",
        },
    )
    assert task.owner_unit == tree.anhui and task.parent_task is None
    entry = AuditEntry.objects.get(action="campaign.task.create", unit=tree.anhui)
    assert entry.after is not None and entry.after["title"] == "走访会员"
    # The Anhui association sees it; the Jiangsu one does not.
    shushan = [t.task.title for t in selectors.tasks_for_unit(phases[1].campaign, tree.shushan)]
    xuanwu = [t.task.title for t in selectors.tasks_for_unit(phases[1].campaign, tree.xuanwu)]
    assert "走访会员" in shushan and "走访会员" not in xuanwu


def test_a_province_cannot_add_a_task_for_its_own_level(
    phases: list[Phase], tree: Tree, anhui: Actor
):
    with pytest.raises(ValidationError) as excinfo:
        services.task_create(
            actor=anhui,
            phase=phases[1],
            owner_unit=tree.anhui,
            data={"level": "province", "title": "x", "deadline": d(5, 1), "completion": "form"},
        )
    assert "level" in excinfo.value.message_dict


def test_a_grassroots_association_writes_no_plan(phases: list[Phase], tree: Tree, anhui: Actor):
    with pytest.raises(ValidationError) as excinfo:
        services.task_create(
            actor=anhui,
            phase=phases[1],
            owner_unit=tree.shushan,
            data={"level": "branch", "title": "x", "deadline": d(5, 1), "completion": "form"},
        )
    assert "owner_unit" in excinfo.value.message_dict


def test_local_deadline_earlier_is_kept_later_is_refused(
    grassroots_task: Task, tree: Tree, anhui: Actor, hefei: Actor
):
    with pytest.raises(ValidationError) as later:
        services.task_override_deadline(
            actor=anhui, task=grassroots_task, unit=tree.anhui, deadline=d(4, 5)
        )
    assert "never later" in " ".join(later.value.message_dict["deadline"])
    assert not Task.objects.filter(parent_task=grassroots_task).exists()

    row = services.task_override_deadline(
        actor=anhui, task=grassroots_task, unit=tree.anhui, deadline=d(3, 20)
    )
    assert row.parent_task == grassroots_task and row.owner_unit == tree.anhui
    assert Task.objects.get(pk=grassroots_task.pk).deadline == d(3, 31)
    # The same unit moves its local deadline: the one row is updated.
    services.task_override_deadline(
        actor=anhui, task=grassroots_task, unit=tree.anhui, deadline=d(3, 18)
    )
    assert Task.objects.filter(parent_task=grassroots_task).count() == 1
    # A city below is held to the province's earlier deadline.
    with pytest.raises(ValidationError) as city_later:
        services.task_override_deadline(
            actor=hefei, task=grassroots_task, unit=tree.hefei, deadline=d(3, 25)
        )
    assert "2009-03-18" in " ".join(city_later.value.message_dict["deadline"])
    services.task_override_deadline(
        actor=hefei, task=grassroots_task, unit=tree.hefei, deadline=d(3, 10)
    )

    campaign = grassroots_task.phase.campaign
    deadlines = {
        unit.name: [t.deadline for t in selectors.tasks_for_unit(campaign, unit)]
        for unit in (tree.shushan, tree.xuanwu)
    }
    assert deadlines == {tree.shushan.name: [d(3, 10)], tree.xuanwu.name: [d(3, 31)]}
    assert AuditEntry.objects.filter(action="campaign.task.override").count() == 3


def test_local_deadline_row_changes_only_its_deadline(
    grassroots_task: Task, tree: Tree, anhui: Actor
):
    row = services.task_override_deadline(
        actor=anhui, task=grassroots_task, unit=tree.anhui, deadline=d(3, 20)
    )
    with pytest.raises(ValidationError) as later:
        services.task_update(
            actor=anhui,
            task=row,
            data={"deadline": d(4, 1)},
            expected_lock_version=row.lock_version,
        )
    assert "deadline" in later.value.message_dict
    with pytest.raises(ValidationError) as title:
        services.task_update(
            actor=anhui, task=row, data={"title": "x"}, expected_lock_version=row.lock_version
        )
    assert "title" in title.value.message_dict


def test_a_province_never_changes_or_removes_a_national_task(grassroots_task: Task, anhui: Actor):
    with pytest.raises(ForbiddenAction):
        services.task_delete(actor=anhui, task=grassroots_task)
    with pytest.raises(ForbiddenAction):
        services.task_update(
            actor=anhui,
            task=grassroots_task,
            data={"deadline": d(3, 30)},
            expected_lock_version=grassroots_task.lock_version,
        )
    assert Task.objects.filter(pk=grassroots_task.pk).exists()


def test_a_local_deadline_is_for_the_subtree_of_a_unit_below_the_task(
    grassroots_task: Task, tree: Tree, people: People, national_actor: Actor
):
    with pytest.raises(ValidationError) as own:
        services.task_override_deadline(
            actor=national_actor, task=grassroots_task, unit=tree.root, deadline=d(3, 20)
        )
    assert "owner_unit" in own.value.message_dict
    with pytest.raises(ForbiddenAction):
        services.task_override_deadline(
            actor=Actor(user=people.outsider),
            task=grassroots_task,
            unit=tree.anhui,
            deadline=d(3, 20),
        )


def test_a_province_may_delete_its_own_local_deadline_while_running(
    campaign: Campaign, grassroots_task: Task, tree: Tree, anhui: Actor, national_actor: Actor
):
    services.campaign_start(actor=national_actor, campaign=campaign)
    row = services.task_override_deadline(
        actor=anhui, task=grassroots_task, unit=tree.anhui, deadline=d(3, 20)
    )
    services.task_delete(actor=anhui, task=row)
    assert not Task.objects.filter(parent_task=grassroots_task).exists()
