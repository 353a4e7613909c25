"""The access matrix's cases for the campaign tab (see jiceng/core/tests/access.py): a running
campaign with a form task for branches, so the target branch has a task to complete and its
parent (蜀山区) or a unit above may waive it."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from conftest import Tree
from jiceng.accounts.roles import Perm
from jiceng.campaigns import completion, services
from jiceng.core.actor import Actor
from jiceng.core.tests.access import UNIT, Case
from jiceng.core.tests.uploads import image_upload


def _task_kwargs(o: SimpleNamespace) -> dict[str, int]:
    return {"pk": o.tree.branch.pk, "task_pk": o.campaign_task.pk}


def _campaign_kwargs(o: SimpleNamespace) -> dict[str, int]:
    return {"pk": o.tree.branch.pk, "campaign_pk": o.campaign.pk}


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
    "campaigns:task_reopen": Case("object", None, "post", _task_kwargs),
    "campaigns:plans": Case("object", kwargs=UNIT),
    "campaigns:wizard": Case("object", Perm.CAMPAIGN_MANAGE, kwargs=UNIT),
    "campaigns:plan": Case("object", kwargs=_campaign_kwargs),
    "campaigns:plan_task_add": Case("object", Perm.CAMPAIGN_MANAGE, "post", _campaign_kwargs),
    "campaigns:plan_deadline": Case(
        "object",
        Perm.CAMPAIGN_MANAGE,
        "post",
        lambda o: {**_campaign_kwargs(o), "task_pk": o.campaign_task.pk},
    ),
    "campaigns:campaign_start": Case("object", Perm.CAMPAIGN_MANAGE, "post", _campaign_kwargs),
    "campaigns:campaign_close": Case("object", Perm.CAMPAIGN_MANAGE, "post", _campaign_kwargs),
    "campaigns:evidence_file": Case(
        "object", kwargs=lambda o: {"pk": o.tree.branch.pk, "file_pk": o.evidence_file.pk}
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
    objects.campaign = campaign
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
    meeting = services.task_create(
        actor=actor,
        phase=phase,
        owner_unit=tree.root,
        data={
            "level": "branch",
            "title": "动员部署大会",
            "deadline": datetime.date(year, 12, 31),
            "completion": "meeting",
        },
    )
    services.campaign_start(actor=actor, campaign=campaign)
    done = completion.task_complete(
        actor=actor,
        task=meeting,
        unit=tree.branch,
        evidence={"fields": {"date": f"{year}-01-01", "place": "会议室", "attendance": 30}},
        files=[image_upload("meeting.png")],
    )
    objects.evidence_file = done.files.get()
