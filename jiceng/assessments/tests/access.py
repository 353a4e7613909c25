"""The access matrix's cases for the assessment tab (see jiceng/core/tests/access.py). The
campaign is the running one `campaigns/tests/access.py` builds; 蜀山区's assessment is made in
the state each page needs when the case's URL is built (only that case's test pays for it)."""

import datetime
from types import SimpleNamespace
from typing import Any

from conftest import Tree
from jiceng.accounts.roles import Perm, Role
from jiceng.assessments import services
from jiceng.assessments.models import (
    Assessment,
    AssessmentState,
    RectificationItem,
    ScoreEvidence,
)
from jiceng.core.actor import Actor
from jiceng.core.tests.access import Case
from jiceng.core.tests.uploads import pdf_upload

from .conftest import quick_fill as fill

SYSTEM = Actor.system()


def assessment(o: SimpleNamespace, state: str = AssessmentState.DRAFT) -> Assessment:
    """蜀山区's assessment, brought to `state` (and 包河区's approved too for an area)."""
    found = services.assessment_open(actor=SYSTEM, campaign=o.campaign, unit=o.tree.shushan)
    if state == AssessmentState.DRAFT:
        return found
    fill(found)
    found = services.assessment_submit(actor=SYSTEM, assessment=found)
    if state == AssessmentState.APPROVED:
        found = services.assessment_approve(actor=SYSTEM, assessment=found)
    return found


def approved_area(o: SimpleNamespace) -> None:
    for unit in (o.tree.shushan, o.tree.baohe):
        found = services.assessment_open(actor=SYSTEM, campaign=o.campaign, unit=unit)
        fill(found)
        services.assessment_approve(
            actor=SYSTEM, assessment=services.assessment_submit(actor=SYSTEM, assessment=found)
        )


def evidence(o: SimpleNamespace) -> ScoreEvidence:
    found = assessment(o)
    return services.evidence_add(actor=SYSTEM, assessment=found, code="1.3", files=[pdf_upload()])[
        0
    ]


def _filled(o: SimpleNamespace) -> dict[str, Any]:
    fill(assessment(o))
    return {"pk": o.tree.shushan.pk}


def rectification(o: SimpleNamespace, *, closed: bool = False) -> RectificationItem:
    """A problem 合肥 found in 蜀山区 (closed with proof when `closed`), kept on `o.item`."""
    o.item = services.rectification_create(
        actor=SYSTEM,
        campaign=o.campaign,
        unit=o.tree.shushan,
        data={
            "source": "review",
            "description": "经费来源单一",
            "owner": "张秘书长",
            "deadline": datetime.date(2099, 12, 31),
        },
    )
    if closed:
        services.rectification_close(
            actor=SYSTEM,
            item=o.item,
            measures="已整改",
            files=[pdf_upload()],
            expected_lock_version=1,
        )
    return o.item


def shushan(o: SimpleNamespace) -> dict[str, Any]:
    return {"pk": o.tree.shushan.pk}


def with_state(state: str, **extra: Any) -> Any:
    def kwargs(o: SimpleNamespace) -> dict[str, Any]:
        assessment(o, state)
        return {"pk": o.tree.shushan.pk, **extra}

    return kwargs


def campaign(o: SimpleNamespace, **data: Any) -> dict[str, Any]:
    return {"campaign": o.campaign.pk, "lock_version": "", **data}


def _area(approve: bool) -> Any:
    def kwargs(o: SimpleNamespace) -> dict[str, Any]:
        approved_area(o)
        if not approve:
            services.area_approve(actor=SYSTEM, campaign=o.campaign, area=o.tree.hefei)
        return {"pk": o.tree.hefei.pk}

    return kwargs


SHUSHAN = "shushan"


def _campaign_query(o: SimpleNamespace) -> str:
    assessment(o, AssessmentState.APPROVED)
    return f"campaign={o.campaign.pk}"


def _rubric(o: SimpleNamespace) -> dict[str, Any]:
    """The default rubric, not yet frozen (its campaign has not used it)."""
    from jiceng.assessments.default_rubric import ensure_default_rubric

    return {"pk": ensure_default_rubric().pk}


def _rubric_item(o: SimpleNamespace) -> dict[str, Any]:
    from jiceng.assessments.default_rubric import ensure_default_rubric

    return {"pk": ensure_default_rubric().items.get(code="1.2").pk}


CASES: dict[str, Case] = {
    "assessments:rubrics": Case("own"),
    "assessments:rubric": Case("own", kwargs=_rubric),
    "assessments:rubric_download": Case("own", kwargs=_rubric),
    "assessments:rubric_import": Case("own", Perm.RUBRIC_MANAGE),
    "assessments:rubric_new_version": Case("own", Perm.RUBRIC_MANAGE, "post", _rubric),
    "assessments:rubric_choose": Case(
        "own",
        Perm.RUBRIC_MANAGE,
        "post",
        _rubric,
        data=lambda o: {"campaign": o.campaign.pk},
    ),
    "assessments:rubric_item_edit": Case("own", Perm.RUBRIC_MANAGE, kwargs=_rubric_item),
    "assessments:unit_assessment": Case("object", kwargs=shushan, owner=SHUSHAN),
    "assessments:score_sheet": Case(
        "object",
        kwargs=with_state(AssessmentState.SUBMITTED),
        owner=SHUSHAN,
        query=lambda o: f"campaign={o.campaign.pk}",
    ),
    "assessments:start": Case(
        "object", Perm.ASSESSMENT_SELF, "post", shushan, data=campaign, owner=SHUSHAN
    ),
    "assessments:score": Case(
        "object",
        Perm.ASSESSMENT_SELF,
        "post",
        with_state(AssessmentState.DRAFT, code="1.2"),
        data=lambda o: campaign(o, **{"s1.2-self_score": "2"}),
        owner=SHUSHAN,
    ),
    "assessments:evidence": Case(
        "object",
        Perm.ASSESSMENT_SELF,
        "post",
        with_state(AssessmentState.DRAFT, code="1.3"),
        data=lambda o: campaign(o, **{"e1.3-upload": pdf_upload()}),
        owner=SHUSHAN,
    ),
    "assessments:file": Case(
        "object",
        kwargs=lambda o: {"pk": o.tree.shushan.pk, "file_pk": evidence(o).pk},
        owner=SHUSHAN,
    ),
    "assessments:file_remove": Case(
        "object",
        Perm.ASSESSMENT_SELF,
        "post",
        lambda o: {"pk": o.tree.shushan.pk, "file_pk": evidence(o).pk},
        data=campaign,
        owner=SHUSHAN,
    ),
    "assessments:submit": Case(
        "object",
        Perm.ASSESSMENT_SELF,
        "post",
        lambda o: _filled(o),
        data=campaign,
        owner=SHUSHAN,
    ),
    "assessments:adjust": Case(
        "object",
        Perm.ASSESSMENT_REVIEW,
        "post",
        with_state(AssessmentState.SUBMITTED, code="1.2"),
        data=lambda o: campaign(o, **{"a1.2-score": "1", "a1.2-reason": "核减"}),
        owner=SHUSHAN,
    ),
    # Only the association's parent (合肥) returns and approves; above it, the page refuses.
    "assessments:return": Case(
        "object",
        Perm.ASSESSMENT_REVIEW,
        "post",
        with_state(AssessmentState.SUBMITTED),
        data=lambda o: campaign(o, **{"ret-reason": "补充材料"}),
        owner=SHUSHAN,
        insiders={Role.NATIONAL_ADMIN: 403, Role.PROVINCIAL_ADMIN: 403, Role.REVIEWER: 403},
    ),
    "assessments:approve": Case(
        "object",
        Perm.ASSESSMENT_REVIEW,
        "post",
        with_state(AssessmentState.SUBMITTED),
        data=campaign,
        owner=SHUSHAN,
    ),
    "assessments:unapprove": Case(
        "object",
        Perm.ASSESSMENT_REVIEW,
        "post",
        with_state(AssessmentState.APPROVED),
        data=campaign,
        owner=SHUSHAN,
    ),
    "assessments:results": Case(
        "object", kwargs=lambda o: {"pk": o.tree.hefei.pk}, owner="hefei", query=_campaign_query
    ),
    "assessments:results_export": Case(
        "object",
        Perm.EXPORT,
        kwargs=lambda o: {"pk": o.tree.hefei.pk},
        owner="hefei",
        query=_campaign_query,
    ),
    "assessments:rectification_new": Case(
        "object",
        Perm.ASSESSMENT_REVIEW,
        "post",
        shushan,
        data=lambda o: campaign(
            o,
            **{
                "rn-source": "review",
                "rn-description": "经费来源单一",
                "rn-owner": "张秘书长",
                "rn-deadline": "2099-12-31",
            },
        ),
        owner=SHUSHAN,
        # The association may record too, but only what its own self-inspection found: a
        # review's finding is refused in the form (400), not as a permission.
        insiders={Role.GRASSROOTS_SECRETARY: 400},
    ),
    "assessments:rectification_close": Case(
        "object",
        Perm.ASSESSMENT_SELF,
        "post",
        lambda o: {"pk": o.tree.shushan.pk, "item_pk": rectification(o).pk},
        data=lambda o: campaign(
            o, **{f"c{o.item.pk}-measures": "已整改", f"c{o.item.pk}-upload": pdf_upload()}
        ),
        owner=SHUSHAN,
    ),
    "assessments:rectification_verify": Case(
        "object",
        Perm.ASSESSMENT_REVIEW,
        "post",
        lambda o: {"pk": o.tree.shushan.pk, "item_pk": rectification(o, closed=True).pk},
        data=lambda o: campaign(o, **{f"v{o.item.pk}-decision": "accept"}),
        owner=SHUSHAN,
    ),
    "assessments:rectification_file": Case(
        "object",
        kwargs=lambda o: {
            "pk": o.tree.shushan.pk,
            "file_pk": rectification(o, closed=True).files.get().pk,
        },
        owner=SHUSHAN,
    ),
    "assessments:area_approve": Case(
        "object", Perm.ASSESSMENT_REVIEW, "post", _area(True), data=campaign, owner="hefei"
    ),
    "assessments:area_unapprove": Case(
        "object", Perm.ASSESSMENT_REVIEW, "post", _area(False), data=campaign, owner="hefei"
    ),
}


def make_objects(tree: Tree, objects: SimpleNamespace) -> None:
    """Nothing up front: each case makes the assessment it needs (see `with_state`)."""
