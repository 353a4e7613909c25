import datetime

import pytest

from conftest import People, Tree
from jiceng.assessments import services
from jiceng.assessments.models import Assessment
from jiceng.campaigns import services as campaign_services
from jiceng.campaigns.models import Campaign
from jiceng.core.actor import Actor
from jiceng.core.tests.uploads import pdf_upload


@pytest.fixture
def running(tree: Tree, people: People) -> Campaign:
    """This year's construction year, running, nation-wide (no tasks needed to assess)."""
    actor = Actor(user=people.national)
    year = datetime.date.today().year
    campaign = campaign_services.campaign_create(
        actor=actor, unit=tree.root, name="建设年", year=year
    )
    phase = campaign_services.phase_create(
        actor=actor,
        campaign=campaign,
        data={
            "name": "检查评估",
            "starts": datetime.date(year, 1, 1),
            "ends": datetime.date(year, 12, 31),
        },
    )
    campaign_services.task_create(
        actor=actor,
        phase=phase,
        owner_unit=tree.root,
        data={
            "level": "grassroots",
            "title": "开展自查自评",
            "deadline": datetime.date(year, 12, 31),
            "completion": "condition",
            "condition": "self_inspection_submitted",
        },
    )
    return campaign_services.campaign_start(actor=actor, campaign=campaign)


def fill(assessment: Assessment, user: object, *, score: str | None = None) -> None:
    """Score every indicator without one (the highest score, or `score`) and attach evidence
    where the rubric asks for it."""
    actor = Actor(user=user)  # type: ignore[arg-type]
    for row in assessment.scores.select_related("item"):
        item = row.item
        if item.rule in ("veto", "bonus"):
            continue
        if row.self_score is None:
            services.score_save(
                actor=actor,
                assessment=assessment,
                code=row.code,
                self_score=score if score is not None else item.as_rule().most,
            )
        if item.needs_evidence and not row.files.exists():
            services.evidence_add(
                actor=actor, assessment=assessment, code=row.code, files=[pdf_upload()]
            )


@pytest.fixture
def submitted(running: Campaign, tree: Tree, people: People) -> dict[str, Assessment]:
    """蜀山区 and 包河区 self-inspected and submitted."""
    found = {}
    for unit, user in (
        (tree.shushan, people.shushan_secretary),
        (tree.baohe, people.baohe_secretary),
    ):
        actor = Actor(user=user)
        assessment = services.assessment_open(actor=actor, campaign=running, unit=unit)
        fill(assessment, user)
        found[unit.code] = services.assessment_submit(actor=actor, assessment=assessment)
    return found


def quick_fill(assessment: Assessment) -> None:
    """`fill` for the access matrix, where only the state matters: every hand-scored indicator
    at 0 in one UPDATE, then the evidence the rubric asks for (through the service)."""
    from jiceng.assessments.models import Score

    Score.objects.filter(assessment=assessment, self_score__isnull=True).exclude(
        item__rule__in=["veto", "bonus"]
    ).update(self_score=0)
    for row in assessment.scores.filter(item__needs_evidence=True):
        services.evidence_add(
            actor=Actor.system(), assessment=assessment, code=row.code, files=[pdf_upload()]
        )
