import datetime
import zoneinfo

import pytest

from conftest import People, Tree
from jiceng.campaigns import completion, services
from jiceng.campaigns.models import Campaign, Phase, Task, TaskCompletion
from jiceng.core import rollups
from jiceng.core.actor import Actor
from jiceng.core.tests.helpers import add_children
from jiceng.org.anchors import anchors_of
from jiceng.org.models import Unit

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def d(month: int, day: int, year: int = 2009) -> datetime.date:
    return datetime.date(year, month, day)


@pytest.fixture
def national_actor(people: People) -> Actor:
    return Actor(user=people.national)


@pytest.fixture
def campaign(tree: Tree, people: People, national_actor: Actor) -> Campaign:
    return services.campaign_create(actor=national_actor, unit=tree.root, name="建设年", year=2009)


@pytest.fixture
def phases(campaign: Campaign, national_actor: Actor) -> list[Phase]:
    windows = [("准备动员", d(3, 1), d(3, 31)), ("调查研究", d(4, 1), d(5, 31))]
    return [
        services.phase_create(
            actor=national_actor,
            campaign=campaign,
            data={"name": name, "starts": starts, "ends": ends},
        )
        for name, starts, ends in windows
    ]


@pytest.fixture
def grassroots_task(phases: list[Phase], tree: Tree, national_actor: Actor) -> Task:
    return services.task_create(
        actor=national_actor,
        phase=phases[0],
        owner_unit=tree.root,
        data={
            "level": "grassroots",
            "title": "签收《规范》",
            "deadline": d(3, 31),
            "completion": "acknowledge",
        },
    )


@pytest.fixture
def branch_task(phases: list[Phase], tree: Tree, national_actor: Actor) -> Task:
    return services.task_create(
        actor=national_actor,
        phase=phases[1],
        owner_unit=tree.root,
        data={
            "level": "branch",
            "title": "会员调查",
            "deadline": d(5, 20),
            "completion": "form",
        },
    )


@pytest.fixture
def running(
    campaign: Campaign, grassroots_task: Task, branch_task: Task, national_actor: Actor
) -> Campaign:
    """The campaign started, with a grassroots task due 31 March and a branch task due 20 May."""
    return services.campaign_start(actor=national_actor, campaign=campaign)


@pytest.fixture
def form_task(phases: list[Phase], tree: Tree, national_actor: Actor) -> Task:
    """自查 for associations, a form, due 31 May."""
    return services.task_create(
        actor=national_actor,
        phase=phases[1],
        owner_unit=tree.root,
        data={"level": "grassroots", "title": "自查", "deadline": d(5, 31), "completion": "form"},
    )


@pytest.fixture
def meeting_task(phases: list[Phase], tree: Tree, national_actor: Actor) -> Task:
    """召开动员会 for associations, a meeting record, due 20 March."""
    return services.task_create(
        actor=national_actor,
        phase=phases[0],
        owner_unit=tree.root,
        data={
            "level": "grassroots",
            "title": "召开动员会",
            "deadline": d(3, 20),
            "completion": "meeting",
        },
    )


@pytest.fixture
def document_task(phases: list[Phase], tree: Tree, national_actor: Actor) -> Task:
    """研究制定实施方案 for associations, an uploaded document, due 25 March."""
    return services.task_create(
        actor=national_actor,
        phase=phases[0],
        owner_unit=tree.root,
        data={
            "level": "grassroots",
            "title": "研究制定实施方案",
            "deadline": d(3, 25),
            "completion": "document",
        },
    )


@pytest.fixture
def progressed(running: Campaign, grassroots_task: Task, tree: Tree, people: People) -> Campaign:
    """The 2009 campaign (all deadlines past): 蜀山区 did its grassroots task on time (23:59 on
    the deadline day), 包河区 a minute late, 玄武区 had it waived; the branch task is not done."""
    completion.task_complete(
        actor=Actor(user=people.shushan_secretary),
        task=grassroots_task,
        unit=tree.shushan,
        done_at=datetime.datetime(2009, 3, 31, 23, 59, tzinfo=SHANGHAI),
    )
    completion.task_complete(
        actor=Actor(user=people.baohe_secretary),
        task=grassroots_task,
        unit=tree.baohe,
        done_at=datetime.datetime(2009, 4, 1, 0, 0, tzinfo=SHANGHAI),
    )
    completion.task_waive(
        actor=Actor(user=people.national), task=grassroots_task, unit=tree.xuanwu, reason="合并"
    )
    return running


def add_completions(task: Task, units: list[Unit], states: list[str | None]) -> None:
    """Completions of `task` written in bulk, as the seeder writes them: per unit its state —
    "on_time", "late", "waived" or None (not done) — then the provinces' totals refreshed."""
    anchors = anchors_of(units)
    deadline = task.deadline
    on_day = datetime.datetime(deadline.year, deadline.month, deadline.day, 12, tzinfo=SHANGHAI)
    rows = []
    for unit, state in zip(units, states, strict=True):
        if state is None:
            continue
        fields: dict[str, object] = {"state": "done", "on_time": state == "on_time"}
        if state == "waived":
            fields = {"state": "waived", "waived_reason": "新设", "waived_at": on_day}
        else:
            late = datetime.timedelta(days=3 if state == "late" else 0)
            fields["done_at"] = on_day + late
        rows.append(
            TaskCompletion(
                task=task,
                unit=unit,
                year=task.phase.campaign.year,
                province_id=anchors[unit.pk].province_id,
                grassroots_id=anchors[unit.pk].grassroots_id,
                **fields,
            )
        )
    TaskCompletion.objects.bulk_create(rows, batch_size=500)
    provinces = {a.province_id for a in anchors.values()}
    rollups.refresh_totals(TaskCompletion, provinces=provinces)


def add_associations_with_progress(parent: Unit, task: Task, n: int) -> None:
    """`n` new associations under `parent`, each with `task` done (every other one late)."""
    units = add_children(parent, n)
    add_completions(task, units, ["on_time" if i % 2 else "late" for i in range(n)])
