"""The seed's 2009 campaign and the current one made from it."""

import datetime

from conftest import Tree
from jiceng.campaigns import selectors
from jiceng.campaigns.demo import campaign_name, seed_campaigns
from jiceng.campaigns.models import Campaign, CampaignStatus, Task, TaskCompletion


def test_seed_campaigns_builds_2009_and_the_current_year(tree: Tree):
    seed, current = seed_campaigns(tree.root, year=2026)
    assert (seed.year, seed.status, seed.name) == (2009, CampaignStatus.CLOSED, campaign_name(2009))
    assert (current.year, current.status, current.copied_from) == (
        2026,
        CampaignStatus.RUNNING,
        seed,
    )
    phases = [(p.name, p.starts, p.ends) for p in seed.phases.order_by("order")]
    assert phases == [
        ("准备动员", datetime.date(2009, 3, 1), datetime.date(2009, 3, 31)),
        ("调查研究", datetime.date(2009, 4, 1), datetime.date(2009, 5, 31)),
        ("深入实施", datetime.date(2009, 6, 1), datetime.date(2009, 10, 31)),
        ("总结表彰", datetime.date(2009, 11, 1), datetime.date(2009, 12, 31)),
    ]
    tasks = Task.objects.filter(phase__campaign=seed)
    titles = set(tasks.values_list("title", flat=True))
    assert {"研究制定实施方案", "成立活动领导小组", "召开动员部署大会", "签收《规范》"} <= titles
    assert tasks.get(title="成立活动领导小组").condition == "leading_group_recorded"
    assert tasks.get(title="召开动员部署大会").completion == "meeting"
    assert tasks.get(title="签收《规范》").completion == "acknowledge"
    assert tasks.get(title="表彰、推荐").deadline == datetime.date(2009, 11, 30)
    current_tasks = Task.objects.filter(phase__campaign=current)
    assert current_tasks.count() == tasks.count()
    assert current_tasks.get(title="表彰、推荐").deadline == datetime.date(2026, 11, 30)


def test_seed_campaigns_twice_adds_nothing(tree: Tree):
    seed_campaigns(tree.root, year=2026)
    seed_campaigns(tree.root, year=2026)
    assert Campaign.objects.count() == 2


def test_every_level_sees_its_tasks_of_the_current_campaign(tree: Tree):
    _, current = seed_campaigns(tree.root, year=2026)
    titles = {
        unit.level: {t.task.title for t in selectors.tasks_for_unit(current, unit)}
        for unit in (tree.anhui, tree.hefei, tree.shushan)
    }
    assert "召开动员部署大会" in titles["province"]
    assert titles["city"] == {"成立相应的领导机构"}
    assert {"签收《规范》", "自查"} <= titles["grassroots"]
    assert [c.year for c in selectors.campaigns_for_unit(tree.shushan)] == [2026, 2009]
    plan = selectors.campaign_plan(current)
    assert [len(p.tasks.all()) for p in plan] == [5, 4, 1, 2]


def test_seed_demo_leaves_the_current_campaign_part_done(db):
    from django.core.management import call_command

    from jiceng.org.models import Unit

    call_command("seed_demo", "--scale", "small")
    shushan = Unit.objects.get(code="340104")
    current = selectors.current_campaign(shushan)
    assert current is not None
    states = {s.state for s in selectors.unit_task_states(current, shushan)}
    assert states & {"on_time", "late"} and states & {"not_done", "overdue"}
    progress = selectors.campaign_progress(current, Unit.objects.get(code="340100"))
    rate = progress.total.reporting_rate
    assert rate is not None and 0 < rate < 1
    rates = {c.progress.reporting_rate for c in progress.children}
    assert 0.0 in rates or any(r is not None and r < 1 for r in rates)  # some silent or partial
    assert progress.total.late and progress.total.on_time and progress.total.waived == 1
    # 签收《规范》 is done by acknowledging the documents demo's notice: on time or late, and
    # 蜀山区's left for the demo secretary.
    standard = Task.objects.get(phase__campaign=current, title="签收《规范》", parent_task=None)
    assert standard.document is not None
    rows = TaskCompletion.objects.filter(task=standard)
    assert rows.filter(on_time=True).exists() and rows.filter(on_time=False).exists()
    assert not rows.filter(unit=shushan).exists()
    call_command("rebuild_rollups", "--check", "--measure", "campaign_tasks")
