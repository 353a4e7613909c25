import datetime

import pytest

from conftest import People, Tree
from jiceng.campaigns import services
from jiceng.campaigns.models import Campaign, Phase, Task
from jiceng.core.actor import Actor


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
