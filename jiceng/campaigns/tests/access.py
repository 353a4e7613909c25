"""The access matrix's cases for the campaign tab (see jiceng/core/tests/access.py): a running
campaign with a form task for branches, so the target branch has a task to complete and its
parent (蜀山区) or a unit above may waive it."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from conftest import Tree
from jiceng.accounts.roles import Perm
from jiceng.campaigns import services
from jiceng.core.actor import Actor
from jiceng.core.tests.access import UNIT, Case


def _task_kwargs(o: SimpleNamespace) -> dict[str, int]:
    return {"pk": o.tree.branch.pk, "task_pk": o.campaign_task.pk}


CASES: dict[str, Case] = {
    "campaigns:unit_campaign": Case("object", kwargs=UNIT),
    "campaigns:task_complete": Case(
        "object",
        Perm.CAMPAIGN_REPORT,
        "post",
        _task_kwargs,
        data=lambda o: {f"t{o.campaign_task.pk}-note": "已完成调查"},
    ),
    "campaigns:task_waive": Case(
        "object",
        Perm.CAMPAIGN_MANAGE,
        "post",
        _task_kwargs,
        data=lambda o: {f"w{o.campaign_task.pk}-reason": "分会新设"},
    ),
}


def make_objects(tree: Tree, objects: SimpleNamespace) -> None:
    actor = Actor.system()
    year = timezone.localdate().year
    campaign = services.campaign_create(actor=actor, unit=tree.root, name="建设年", year=year)
    phase = services.phase_create(
        actor=actor,
        campaign=campaign,
        data={
            "name": "调查研究",
            "starts": datetime.date(year, 1, 1),
            "ends": datetime.date(year, 12, 31),
        },
    )
    objects.campaign_task = services.task_create(
        actor=actor,
        phase=phase,
        owner_unit=tree.root,
        data={
            "level": "branch",
            "title": "会员调查",
            "deadline": datetime.date(year, 12, 31),
            "completion": "form",
        },
    )
    services.campaign_start(actor=actor, campaign=campaign)
