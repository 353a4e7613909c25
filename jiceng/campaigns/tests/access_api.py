"""The access matrix's cases for the campaign endpoints of the API (see
jiceng/core/tests/access.py). They use the running campaign and its branch form task that
`access.py` (merged before this module) builds, and add a draft campaign run by 安徽: seen from
安徽's subtree and from above it, never from 江苏 (a sibling subtree), so the list must not show
it there and its detail and progress are 404 there."""

from types import SimpleNamespace

from django.utils import timezone

from conftest import Tree
from jiceng.accounts.roles import Perm
from jiceng.campaigns import services
from jiceng.core.actor import Actor
from jiceng.core.tests.access import UNIT, Case

ANHUI_CAMPAIGN = "安徽省建设年"


def _anhui_campaign(o: SimpleNamespace) -> dict[str, int]:
    return {"pk": o.anhui_campaign.pk}


CASES: dict[str, Case] = {
    "api:campaign-list": Case("list", marker=lambda o: ANHUI_CAMPAIGN),
    "api:campaign-detail": Case("object", kwargs=_anhui_campaign),
    "api:campaign-progress": Case("object", kwargs=_anhui_campaign),
    "api:unit-tasks": Case("object", kwargs=UNIT),
    "api:unit-task-complete": Case(
        "object",
        Perm.CAMPAIGN_REPORT,
        "post",
        lambda o: {"pk": o.tree.branch.pk, "task_pk": o.campaign_task.pk},
        data=lambda o: {"note": "已完成调查"},
    ),
}


def make_objects(tree: Tree, objects: SimpleNamespace) -> None:
    objects.anhui_campaign = services.campaign_create(
        actor=Actor.system(), unit=tree.anhui, name=ANHUI_CAMPAIGN, year=timezone.localdate().year
    )
