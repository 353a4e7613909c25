"""Two reviewers acting on one assessment at once, on whichever database the suite runs: one
wins, the other is told (a conflict) and nothing is lost or applied twice."""

import datetime

import pytest
from django.db import connection

from conftest import People, Tree
from jiceng.assessments import services
from jiceng.assessments.models import Adjustment, Assessment, AssessmentEvent, AssessmentState
from jiceng.campaigns import services as campaign_services
from jiceng.core.actor import Actor
from jiceng.core.errors import ConflictError, DomainError
from jiceng.core.tests.concurrency import run_in_threads

from .conftest import quick_fill

WRITERS = 4


def _submitted(tree: Tree) -> Assessment:
    actor = Actor.system()
    year = datetime.date.today().year
    campaign = campaign_services.campaign_create(
        actor=actor, unit=tree.root, name="建设年", year=year
    )
    campaign_services.phase_create(
        actor=actor,
        campaign=campaign,
        data={
            "name": "检查评估",
            "starts": datetime.date(year, 1, 1),
            "ends": datetime.date(year, 12, 31),
        },
    )
    campaign_services.campaign_start(actor=actor, campaign=campaign)
    assessment = services.assessment_open(actor=actor, campaign=campaign, unit=tree.shushan)
    quick_fill(assessment)
    return services.assessment_submit(actor=actor, assessment=assessment)


@pytest.mark.django_db(transaction=True)
def test_reviewers_on_one_loaded_version_one_wins(tree: Tree, people: People):
    assessment = _submitted(tree)
    loaded = Assessment.objects.get(pk=assessment.pk).lock_version
    outcomes: list[str] = []

    def work(i: int) -> None:
        actor = Actor(user=people.hefei_admin)
        try:
            if i % 2:
                services.assessment_approve(
                    actor=actor, assessment=assessment, expected_lock_version=loaded
                )
            else:
                services.assessment_adjust(
                    actor=actor,
                    assessment=assessment,
                    code="1.2",
                    score=i % 4,
                    reason=f"第{i}位审核人",
                    expected_lock_version=loaded,
                )
            outcomes.append("won")
        except ConflictError:
            outcomes.append("conflict")

    assert run_in_threads(work, WRITERS) == []
    assert outcomes.count("won") == 1, (connection.vendor, outcomes)
    assert outcomes.count("conflict") == WRITERS - 1
    fresh = Assessment.objects.get(pk=assessment.pk)
    assert fresh.lock_version == loaded + 1
    events = AssessmentEvent.objects.filter(assessment=assessment, kind__in=["adjust", "approve"])
    assert events.count() == 1


@pytest.mark.django_db(transaction=True)
def test_reviewers_without_a_version_are_serialised(tree: Tree, people: People):
    """No version named (an API client that reads nothing first): each step runs on the row
    as the one before left it — every adjustment is kept, and of approve and return at most
    one applies to a submitted assessment."""
    assessment = _submitted(tree)
    outcomes: list[str] = []

    def work(i: int) -> None:
        actor = Actor(user=people.hefei_admin if i < 2 else people.anhui_admin)
        try:
            if i == 0:
                services.assessment_approve(actor=actor, assessment=assessment)
            elif i == 1:
                services.assessment_return(actor=actor, assessment=assessment, reason="退回")
            else:
                services.assessment_adjust(
                    actor=actor, assessment=assessment, code="1.2", score=1, reason="省级复核"
                )
            outcomes.append("done")
        except DomainError as error:
            outcomes.append(error.code)

    assert run_in_threads(work, WRITERS) == []
    fresh = Assessment.objects.get(pk=assessment.pk)
    assert fresh.state in (AssessmentState.APPROVED, AssessmentState.RETURNED)
    assert outcomes.count("wrong_state") >= 1, (connection.vendor, outcomes)
    assert Adjustment.objects.filter(score__assessment=assessment).count() <= 1
