"""The wizard's engine: a campaign copied with every date shifted by whole years."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from conftest import People, Tree
from jiceng.campaigns import services
from jiceng.campaigns.models import Campaign, CampaignStatus, Phase, Task
from jiceng.core.actor import Actor
from jiceng.core.errors import ForbiddenAction
from jiceng.core.models import AuditEntry

from .conftest import d


def test_shift_years_turns_29_february_into_28():
    assert services.shift_years(datetime.date(2008, 2, 29), 1) == datetime.date(2009, 2, 28)
    assert services.shift_years(datetime.date(2008, 2, 29), 4) == datetime.date(2012, 2, 29)
    assert services.shift_years(datetime.date(2009, 3, 31), 17) == datetime.date(2026, 3, 31)
    assert services.shift_years(datetime.date(2012, 2, 29), -1) == datetime.date(2011, 2, 28)


def test_copy_shifts_phases_and_tasks_and_leaves_the_source(
    campaign: Campaign, phases: list[Phase], grassroots_task: Task, tree: Tree, national_actor
):
    services.campaign_start(actor=national_actor, campaign=campaign)
    copy = services.campaign_copy(
        actor=national_actor, source=campaign, year_shift=17, name="建设年（2026）"
    )
    assert (copy.year, copy.status, copy.copied_from, copy.unit) == (
        2026,
        CampaignStatus.DRAFT,
        campaign,
        tree.root,
    )
    assert [(p.name, p.order, p.starts, p.ends) for p in copy.phases.order_by("order")] == [
        ("准备动员", 1, d(3, 1, 2026), d(3, 31, 2026)),
        ("调查研究", 2, d(4, 1, 2026), d(5, 31, 2026)),
    ]
    (task,) = Task.objects.filter(phase__campaign=copy)
    assert (task.title, task.level, task.deadline, task.completion, task.owner_unit) == (
        "签收《规范》",
        "grassroots",
        d(3, 31, 2026),
        "acknowledge",
        tree.root,
    )
    assert task.phase.name == "准备动员"
    assert Task.objects.filter(phase__campaign=campaign).count() == 1
    entry = AuditEntry.objects.get(action="campaign.copy")
    assert entry.after is not None
    assert (entry.after["year_shift"], entry.after["phases"], entry.after["tasks"]) == (17, 2, 1)


def test_copy_of_a_leap_year_campaign_moves_29_february(tree: Tree, national_actor: Actor):
    source = services.campaign_create(actor=national_actor, unit=tree.root, name="闰年", year=2008)
    phase = services.phase_create(
        actor=national_actor,
        campaign=source,
        data={"name": "准备动员", "starts": d(2, 1, 2008), "ends": d(2, 29, 2008)},
    )
    services.task_create(
        actor=national_actor,
        phase=phase,
        owner_unit=tree.root,
        data={
            "level": "province",
            "title": "实施方案",
            "deadline": d(2, 29, 2008),
            "completion": "document",
        },
    )
    copy = services.campaign_copy(actor=national_actor, source=source, year_shift=1, name="次年")
    new_phase = copy.phases.get()
    assert (new_phase.starts, new_phase.ends) == (d(2, 1, 2009), d(2, 28, 2009))
    assert Task.objects.get(phase=new_phase).deadline == d(2, 28, 2009)


def test_copy_leaves_local_plans_unless_asked(
    campaign: Campaign, grassroots_task: Task, tree: Tree, people: People, national_actor: Actor
):
    anhui = Actor(user=people.anhui_admin)
    services.task_override_deadline(
        actor=anhui, task=grassroots_task, unit=tree.anhui, deadline=d(3, 20)
    )
    services.task_create(
        actor=anhui,
        phase=grassroots_task.phase,
        owner_unit=tree.anhui,
        data={"level": "city", "title": "市级方案", "deadline": d(3, 25), "completion": "document"},
    )
    plain = services.campaign_copy(actor=national_actor, source=campaign, year_shift=1, name="A")
    assert Task.objects.filter(phase__campaign=plain).count() == 1
    full = services.campaign_copy(
        actor=national_actor, source=campaign, year_shift=1, name="B", include_local=True
    )
    copied = Task.objects.filter(phase__campaign=full)
    assert copied.count() == 3
    override = copied.get(parent_task__isnull=False)
    assert override.parent_task is not None
    assert override.parent_task.phase.campaign == full
    assert override.deadline == d(3, 20, 2010)


def test_copy_refuses_a_taken_name_or_a_year_out_of_range(
    campaign: Campaign, phases: list[Phase], national_actor: Actor
):
    services.campaign_copy(actor=national_actor, source=campaign, year_shift=1, name="次年")
    with pytest.raises(ValidationError) as taken:
        services.campaign_copy(actor=national_actor, source=campaign, year_shift=1, name="次年")
    assert "name" in taken.value.message_dict
    with pytest.raises(ValidationError) as far:
        services.campaign_copy(actor=national_actor, source=campaign, year_shift=200, name="远")
    assert "year_shift" in far.value.message_dict
    assert Campaign.objects.count() == 2
    assert Phase.objects.count() == 4


def test_copy_needs_the_permission_on_the_scope_unit(campaign: Campaign, people: People):
    for user in (people.anhui_admin, people.shushan_secretary):
        with pytest.raises(ForbiddenAction):
            services.campaign_copy(
                actor=Actor(user=user), source=campaign, year_shift=1, name="次年"
            )
    assert Campaign.objects.count() == 1
