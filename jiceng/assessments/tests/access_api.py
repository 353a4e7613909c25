"""The access matrix's cases for the assessment endpoints of the API (see
jiceng/core/tests/access.py and this app's access.py, whose helpers make the states)."""

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from conftest import Tree
from jiceng.accounts.roles import Perm, Role
from jiceng.assessments.models import AssessmentState
from jiceng.assessments.services import setup_for
from jiceng.core.tests.access import Case

from .access import _area, assessment

ABOVE_THE_PARENT = {Role.NATIONAL_ADMIN: 403, Role.PROVINCIAL_ADMIN: 403, Role.REVIEWER: 403}
# The area of 合肥 is decided by 安徽 only: the nation (above) and 合肥 itself are refused.
NOT_THE_AREAS_PARENT = {Role.NATIONAL_ADMIN: 403, Role.CITY_ADMIN: 403}


def _pk(state: str) -> Callable[[SimpleNamespace], dict[str, Any]]:
    return lambda o: {"pk": assessment(o, state).pk}


def _score(o: SimpleNamespace) -> dict[str, Any]:
    return {"pk": assessment(o).pk, "code": "1.2"}


CASES: dict[str, Case] = {
    "api:rubric-detail": Case("own", kwargs=lambda o: {"pk": setup_for(o.campaign).rubric_id}),
    "api:assessment-list": Case(
        "list",
        kwargs=lambda o: (assessment(o), {})[1],
        marker=lambda o: "340104",
        owner="shushan",
    ),
    "api:assessment-detail": Case("object", kwargs=_pk(AssessmentState.DRAFT), owner="shushan"),
    "api:assessment-score": Case(
        "object",
        Perm.ASSESSMENT_SELF,
        "put",
        _score,
        data=lambda o: {"self_score": 2, "note": "两个分会"},
        owner="shushan",
    ),
    "api:assessment-submit": Case(
        "object",
        Perm.ASSESSMENT_SELF,
        "post",
        lambda o: {"pk": _filled(o)},
        data=lambda o: {},
        owner="shushan",
    ),
    "api:assessment-adjust": Case(
        "object",
        Perm.ASSESSMENT_REVIEW,
        "post",
        _pk(AssessmentState.SUBMITTED),
        data=lambda o: {"code": "1.2", "score": "1", "reason": "核减"},
        owner="shushan",
    ),
    "api:assessment-return": Case(
        "object",
        Perm.ASSESSMENT_REVIEW,
        "post",
        _pk(AssessmentState.SUBMITTED),
        data=lambda o: {"reason": "补充材料"},
        owner="shushan",
        insiders=ABOVE_THE_PARENT,
    ),
    "api:assessment-approve": Case(
        "object",
        Perm.ASSESSMENT_REVIEW,
        "post",
        _pk(AssessmentState.SUBMITTED),
        data=lambda o: {},
        owner="shushan",
        insiders=ABOVE_THE_PARENT,
    ),
    "api:assessment-unapprove": Case(
        "object",
        Perm.ASSESSMENT_REVIEW,
        "post",
        _pk(AssessmentState.APPROVED),
        data=lambda o: {},
        owner="shushan",
    ),
    "api:unit-approve-area": Case(
        "object",
        Perm.ASSESSMENT_REVIEW,
        "post",
        _area(True),
        data=lambda o: {},
        owner="hefei",
        insiders=NOT_THE_AREAS_PARENT,
        query=lambda o: f"campaign={o.campaign.pk}",
    ),
    "api:unit-unapprove-area": Case(
        "object",
        Perm.ASSESSMENT_REVIEW,
        "post",
        _area(False),
        data=lambda o: {},
        owner="hefei",
        insiders={Role.CITY_ADMIN: 403},
        query=lambda o: f"campaign={o.campaign.pk}",
    ),
}


def _filled(o: SimpleNamespace) -> int:
    from .conftest import quick_fill as fill

    found = assessment(o)
    fill(found)
    return found.pk


def make_objects(tree: Tree, objects: SimpleNamespace) -> None:
    """Nothing up front (see access.py)."""
