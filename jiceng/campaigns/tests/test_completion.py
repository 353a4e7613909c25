"""Completing and waiving the campaign's tasks: who may, for which units, when, and on time."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from conftest import People, Tree
from jiceng.campaigns import completion, services
from jiceng.campaigns.models import Campaign, CompletionState, Task, TaskCompletion
from jiceng.core.actor import Actor
from jiceng.core.errors import DomainError, ForbiddenAction
from jiceng.core.models import AuditEntry
from jiceng.core.scope import get_in_scope_or_404

from .conftest import d

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2009, month, day, hour, minute, tzinfo=SHANGHAI)


def row_of(task: Task, unit_id: int) -> tuple[int, int, int, int]:
    """The unit's figures of the task (its completion's counts; zeros without one), after
    checking that the province totals moved with them."""
    from jiceng.campaigns.measures import CAMPAIGN_TASKS
    from jiceng.core import rollups

    assert rollups.differences(CAMPAIGN_TASKS) == []
    r = TaskCompletion.objects.filter(task=task, unit_id=unit_id, year=2009).first()
    if r is None:
        return (0, 0, 0, 0)
    return (r.done_count, r.on_time_count, r.late_count, r.waived_count)


def test_a_secretary_completes_their_units_task_with_evidence_audited(
    running: Campaign, grassroots_task: Task, tree: Tree, people: People
):
    row = completion.task_complete(
        actor=Actor(user=people.shushan_secretary),
        task=grassroots_task,
        unit=tree.shushan,
        evidence={"note": "已签收", "fields": {"copies": 3}},
        done_at=at(3, 20, 10),
    )
    assert row.state == CompletionState.DONE and row.on_time
    assert row.done_by == people.shushan_secretary
    assert row.evidence == {"note": "已签收", "fields": {"copies": 3}}
    assert (row.province_id, row.grassroots_id) == (tree.anhui.pk, tree.shushan.pk)
    assert row_of(grassroots_task, tree.shushan.pk) == (1, 1, 0, 0)
    entry = AuditEntry.objects.get(action="campaign.task.complete", unit=tree.shushan)
    assert (entry.after or {})["state"] == "done"


def test_done_at_2359_on_the_deadline_is_on_time_the_next_day_late(
    running: Campaign, grassroots_task: Task, tree: Tree, people: People
):
    """Deadlines are dates in Asia/Shanghai: 23:59 there on 31 March is 15:59 UTC."""
    on_time = completion.task_complete(
        actor=Actor(user=people.shushan_secretary),
        task=grassroots_task,
        unit=tree.shushan,
        done_at=at(3, 31, 23, 59).astimezone(datetime.UTC),
    )
    late = completion.task_complete(
        actor=Actor(user=people.baohe_secretary),
        task=grassroots_task,
        unit=tree.baohe,
        done_at=at(4, 1, 0, 0).astimezone(datetime.UTC),
    )
    assert on_time.on_time and not late.on_time
    assert row_of(grassroots_task, tree.shushan.pk) == (1, 1, 0, 0)
    assert row_of(grassroots_task, tree.baohe.pk) == (1, 0, 1, 0)


def test_a_local_earlier_deadline_is_the_one_in_force(
    running: Campaign, grassroots_task: Task, tree: Tree, people: People
):
    services.task_override_deadline(
        actor=Actor(user=people.hefei_admin),
        task=grassroots_task,
        unit=tree.hefei,
        deadline=d(3, 20),
    )
    row = completion.task_complete(
        actor=Actor(user=people.shushan_secretary),
        task=grassroots_task,
        unit=tree.shushan,
        done_at=at(3, 25, 9),
    )
    assert not row.on_time
    assert row_of(grassroots_task, tree.shushan.pk) == (1, 0, 1, 0)


def test_extending_a_deadline_turns_late_work_on_time(
    running: Campaign, branch_task: Task, tree: Tree, people: People, national_actor: Actor
):
    completion.task_complete(
        actor=Actor(user=people.branch_staff),
        task=branch_task,
        unit=tree.branch,
        done_at=at(5, 25, 9),
    )
    assert row_of(branch_task, tree.branch.pk) == (1, 0, 1, 0)
    services.task_update(
        actor=national_actor,
        task=branch_task,
        data={"deadline": d(5, 31)},
        expected_lock_version=branch_task.lock_version,
    )
    assert TaskCompletion.objects.get(task=branch_task, unit=tree.branch).on_time
    assert row_of(branch_task, tree.branch.pk) == (1, 1, 0, 0)


def test_completing_twice_is_already_done(
    running: Campaign, grassroots_task: Task, tree: Tree, people: People
):
    actor = Actor(user=people.shushan_secretary)
    completion.task_complete(actor=actor, task=grassroots_task, unit=tree.shushan)
    with pytest.raises(DomainError) as excinfo:
        completion.task_complete(actor=actor, task=grassroots_task, unit=tree.shushan)
    assert excinfo.value.code == "already_done"
    assert row_of(grassroots_task, tree.shushan.pk)[0] == 1


def test_only_units_at_the_tasks_level(
    running: Campaign, grassroots_task: Task, branch_task: Task, tree: Tree, people: People
):
    with pytest.raises(ValidationError) as excinfo:
        completion.task_complete(
            actor=Actor(user=people.hefei_admin), task=grassroots_task, unit=tree.hefei
        )
    assert "unit" in excinfo.value.message_dict
    # Branch staff complete their branch's task.
    completion.task_complete(
        actor=Actor(user=people.branch_staff), task=branch_task, unit=tree.branch
    )
    assert not TaskCompletion.objects.filter(unit=tree.hefei).exists()


def test_a_local_task_only_inside_its_owners_subtree(running: Campaign, tree: Tree, people: People):
    phase = running.phases.get(order=2)
    local = services.task_create(
        actor=Actor(user=people.anhui_admin),
        phase=phase,
        owner_unit=tree.hefei,
        data={
            "level": "grassroots",
            "title": "合肥走访",
            "deadline": d(5, 1),
            "completion": "form",
        },
    )
    completion.task_complete(actor=Actor(user=people.national), task=local, unit=tree.shushan)
    with pytest.raises(ValidationError) as excinfo:
        completion.task_complete(actor=Actor(user=people.national), task=local, unit=tree.xuanwu)
    assert "unit" in excinfo.value.message_dict


def test_a_task_of_a_provincial_campaign_only_inside_its_scope(tree: Tree, people: People):
    anhui = Actor(user=people.anhui_admin)
    campaign = services.campaign_create(actor=anhui, unit=tree.anhui, name="安徽", year=2009)
    phase = services.phase_create(
        actor=anhui, campaign=campaign, data={"name": "一", "starts": d(3, 1), "ends": d(3, 31)}
    )
    task = services.task_create(
        actor=anhui,
        phase=phase,
        owner_unit=tree.anhui,
        data={"level": "grassroots", "title": "签收", "deadline": d(3, 31), "completion": "form"},
    )
    services.campaign_start(actor=anhui, campaign=campaign)
    with pytest.raises(ValidationError):
        completion.task_complete(actor=Actor(user=people.national), task=task, unit=tree.xuanwu)


def test_only_a_running_campaign(
    campaign: Campaign, grassroots_task: Task, tree: Tree, people: People, national_actor: Actor
):
    actor = Actor(user=people.shushan_secretary)
    with pytest.raises(DomainError) as excinfo:
        completion.task_complete(actor=actor, task=grassroots_task, unit=tree.shushan)
    assert excinfo.value.code == "campaign_not_running"
    services.campaign_start(actor=national_actor, campaign=campaign)
    services.campaign_close(actor=national_actor, campaign=campaign)
    grassroots_task.phase.campaign.refresh_from_db()
    with pytest.raises(DomainError) as excinfo:
        completion.task_complete(actor=actor, task=grassroots_task, unit=tree.shushan)
    assert excinfo.value.code == "campaign_not_running"
    assert not TaskCompletion.objects.exists()


def test_another_units_task_is_forbidden_and_its_completion_404(
    running: Campaign, grassroots_task: Task, tree: Tree, people: People
):
    with pytest.raises(ForbiddenAction):
        completion.task_complete(
            actor=Actor(user=people.shushan_secretary), task=grassroots_task, unit=tree.baohe
        )
    with pytest.raises(ForbiddenAction):  # a viewer's role may not report
        completion.task_complete(
            actor=Actor(user=people.viewer), task=grassroots_task, unit=tree.shushan
        )
    row = completion.task_complete(
        actor=Actor(user=people.baohe_secretary), task=grassroots_task, unit=tree.baohe
    )
    from django.http import Http404

    with pytest.raises(Http404):
        get_in_scope_or_404(TaskCompletion.objects.all(), people.shushan_secretary, pk=row.pk)
    assert get_in_scope_or_404(TaskCompletion.objects.all(), people.hefei_admin, pk=row.pk)


def test_the_parent_waives_with_a_reason(
    running: Campaign, grassroots_task: Task, tree: Tree, people: People
):
    hefei = Actor(user=people.hefei_admin)
    with pytest.raises(ValidationError) as excinfo:
        completion.task_waive(actor=hefei, task=grassroots_task, unit=tree.shushan, reason=" ")
    assert "reason" in excinfo.value.message_dict
    row = completion.task_waive(
        actor=hefei, task=grassroots_task, unit=tree.shushan, reason="新设协会，尚无会员"
    )
    assert row.state == CompletionState.WAIVED and row.waived_by == people.hefei_admin
    assert row_of(grassroots_task, tree.shushan.pk) == (0, 0, 0, 1)
    assert AuditEntry.objects.filter(action="campaign.task.waive", unit=tree.shushan).exists()
    with pytest.raises(DomainError) as refused:
        completion.task_complete(
            actor=Actor(user=people.shushan_secretary), task=grassroots_task, unit=tree.shushan
        )
    assert refused.value.code == "already_waived"


def test_only_the_parent_or_above_waives(
    running: Campaign, grassroots_task: Task, tree: Tree, people: People
):
    for user in (people.shushan_secretary, people.baohe_secretary, people.outsider):
        with pytest.raises(ForbiddenAction):
            completion.task_waive(
                actor=Actor(user=user), task=grassroots_task, unit=tree.shushan, reason="理由"
            )
    completion.task_waive(
        actor=Actor(user=people.anhui_admin), task=grassroots_task, unit=tree.shushan, reason="理由"
    )
    assert not TaskCompletion.objects.filter(unit_id=tree.baohe.pk).exists()


def test_reopen_takes_the_completion_back(
    running: Campaign, grassroots_task: Task, tree: Tree, people: People
):
    secretary = Actor(user=people.shushan_secretary)
    completion.task_complete(actor=secretary, task=grassroots_task, unit=tree.shushan)
    completion.task_reopen(actor=secretary, task=grassroots_task, unit=tree.shushan)
    assert row_of(grassroots_task, tree.shushan.pk) == (0, 0, 0, 0)
    completion.task_waive(
        actor=Actor(user=people.hefei_admin), task=grassroots_task, unit=tree.shushan, reason="r"
    )
    with pytest.raises(ForbiddenAction):  # a waiver is the parent's to take back
        completion.task_reopen(actor=secretary, task=grassroots_task, unit=tree.shushan)
    with pytest.raises(DomainError) as excinfo:
        completion.task_reopen(actor=secretary, task=grassroots_task, unit=tree.baohe)
    assert excinfo.value.code == "not_done"


def test_evidence_must_be_named_fields_of_bounded_size(
    running: Campaign, grassroots_task: Task, tree: Tree, people: People
):
    actor = Actor(user=people.shushan_secretary)
    for evidence in ([1, 2], {"note": "x" * 30_000}, {"when": datetime.date(2009, 3, 1)}):
        with pytest.raises(ValidationError) as excinfo:
            completion.task_complete(
                actor=actor,
                task=grassroots_task,
                unit=tree.shushan,
                evidence=evidence,  # type: ignore[arg-type]
            )
        assert "evidence" in excinfo.value.message_dict
    assert not TaskCompletion.objects.exists()


def test_a_unit_moved_away_from_a_local_deadline_is_judged_afresh(
    running: Campaign, grassroots_task: Task, tree: Tree, people: People
):
    from jiceng.campaigns.measures import CAMPAIGN_TASKS
    from jiceng.core import rollups
    from jiceng.org import services as org_services

    services.task_override_deadline(
        actor=Actor(user=people.hefei_admin),
        task=grassroots_task,
        unit=tree.hefei,
        deadline=d(3, 20),
    )
    completion.task_complete(
        actor=Actor(user=people.shushan_secretary),
        task=grassroots_task,
        unit=tree.shushan,
        done_at=at(3, 25, 9),
    )
    assert row_of(grassroots_task, tree.shushan.pk) == (1, 0, 1, 0)
    org_services.unit_move(
        actor=Actor(user=people.national), unit=tree.shushan, new_parent=tree.nanjing
    )
    assert row_of(grassroots_task, tree.shushan.pk) == (1, 1, 0, 0)
    moved = TaskCompletion.objects.get(unit=tree.shushan)
    assert moved.on_time and moved.province_id == tree.jiangsu.pk
    assert rollups.differences(CAMPAIGN_TASKS) == []
