"""Self-inspection and review, level by level (issue 11): the rules in services."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from conftest import People, Tree
from jiceng.assessments import services
from jiceng.assessments.models import (
    AreaApproval,
    Assessment,
    AssessmentEvent,
    AssessmentState,
    CampaignRubric,
    Score,
)
from jiceng.campaigns.models import Campaign, TaskCompletion
from jiceng.core.actor import Actor
from jiceng.core.errors import ConflictError, DomainError, ForbiddenAction
from jiceng.core.tests.uploads import pdf_upload

from .conftest import fill

D = Decimal


def act(user: object) -> Actor:
    return Actor(user=user)  # type: ignore[arg-type]


def open_shushan(running: Campaign, tree: Tree, people: People) -> Assessment:
    return services.assessment_open(
        actor=act(people.shushan_secretary), campaign=running, unit=tree.shushan
    )


# --- self-inspection ---------------------------------------------------------------------------


def test_opening_makes_a_score_per_indicator_with_computed_ones_filled(
    running: Campaign, tree: Tree, people: People
):
    assessment = open_shushan(running, tree, people)
    scores = {s.code: s for s in assessment.scores.select_related("item")}
    assert len(scores) == 21  # the default rubric's indicators
    five_haves = scores["1.1"]
    assert five_haves.computed  # the figure it came from is kept
    assert five_haves.self_score == five_haves.computed_score is not None
    assert scores["1.2"].self_score is None  # scored by hand
    again = open_shushan(running, tree, people)
    assert again.pk == assessment.pk
    assert Assessment.objects.count() == 1


def test_only_the_association_itself_opens_and_scores_it(
    running: Campaign, tree: Tree, people: People
):
    with pytest.raises(ForbiddenAction):
        services.assessment_open(actor=act(people.hefei_admin), campaign=running, unit=tree.shushan)
    with pytest.raises(ForbiddenAction):
        services.assessment_open(
            actor=act(people.baohe_secretary), campaign=running, unit=tree.shushan
        )
    assessment = open_shushan(running, tree, people)
    with pytest.raises(ForbiddenAction):
        services.score_save(
            actor=act(people.baohe_secretary), assessment=assessment, code="1.2", self_score=1
        )


def test_only_grassroots_associations_are_assessed(running: Campaign, tree: Tree, people: People):
    with pytest.raises(DomainError) as caught:
        services.assessment_open(actor=act(None), campaign=running, unit=tree.hefei)
    assert caught.value.code == "not_assessed"


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("abc", "number"),
        ("5", "between 0 and 4"),
        ("-1", "between"),
        ("1.25", "steps of 0.1"),
        ("NaN", "number"),
    ],
)
def test_a_bad_self_score_names_the_indicator_and_saves_nothing(
    running: Campaign, tree: Tree, people: People, raw: str, words: str
):
    assessment = open_shushan(running, tree, people)
    with pytest.raises(ValidationError) as caught:
        services.score_save(
            actor=act(people.shushan_secretary), assessment=assessment, code="1.2", self_score=raw
        )
    message = " ".join(caught.value.message_dict["self_score"])
    assert "1.2" in message and words in message
    assert Score.objects.get(assessment=assessment, code="1.2").self_score is None


def test_a_self_score_the_figures_contradict_is_flagged(
    running: Campaign, tree: Tree, people: People
):
    assessment = open_shushan(running, tree, people)
    # No activities recorded: 3.1 (activities held) computes to 0 of 8.
    computed = Score.objects.get(assessment=assessment, code="3.1").computed_score
    assert computed == 0
    services.score_save(
        actor=act(people.shushan_secretary), assessment=assessment, code="3.1", self_score=8
    )
    row = Score.objects.get(assessment=assessment, code="3.1")
    assert row.flagged
    assessment.refresh_from_db()
    assert assessment.flagged == 1
    # Within the tolerance (1 point): no flag.
    services.score_save(
        actor=act(people.shushan_secretary),
        assessment=assessment,
        code="3.1",
        self_score=1,
    )
    assert not Score.objects.get(assessment=assessment, code="3.1").flagged


def test_submitting_needs_every_indicator_and_its_evidence(
    running: Campaign, tree: Tree, people: People
):
    assessment = open_shushan(running, tree, people)
    with pytest.raises(ValidationError) as caught:
        services.assessment_submit(actor=act(people.shushan_secretary), assessment=assessment)
    problems = caught.value.message_dict
    assert "1.2" in problems and "give a score" in problems["1.2"][0]
    assert "10" not in problems and "11" not in problems  # bonus and veto are optional
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.DRAFT
    for row in assessment.scores.select_related("item"):
        if row.self_score is None and row.item.rule not in ("bonus", "veto"):
            services.score_save(
                actor=act(people.shushan_secretary),
                assessment=assessment,
                code=row.code,
                self_score=0,
            )
    with pytest.raises(ValidationError) as caught:
        services.assessment_submit(actor=act(people.shushan_secretary), assessment=assessment)
    assert set(caught.value.message_dict) == {"1.3", "5.1"}
    assert "evidence" in caught.value.message_dict["1.3"][0]


def test_submission_freezes_and_completes_the_campaign_task(
    running: Campaign, tree: Tree, people: People
):
    assessment = open_shushan(running, tree, people)
    fill(assessment, people.shushan_secretary)
    done = services.assessment_submit(actor=act(people.shushan_secretary), assessment=assessment)
    assert done.state == AssessmentState.SUBMITTED
    assert done.self_total == done.total
    assert TaskCompletion.objects.filter(unit=tree.shushan, state="done").count() == 1
    with pytest.raises(DomainError) as caught:
        services.score_save(
            actor=act(people.shushan_secretary), assessment=done, code="1.2", self_score=1
        )
    assert caught.value.code == "not_editable" and caught.value.http_status == 409


def test_evidence_of_the_wrong_type_is_refused(running: Campaign, tree: Tree, people: People):
    from django.core.files.uploadedfile import SimpleUploadedFile

    assessment = open_shushan(running, tree, people)
    bad = SimpleUploadedFile("report.pdf", b"<html>not a pdf</html>")
    with pytest.raises(ValidationError) as caught:
        services.evidence_add(
            actor=act(people.shushan_secretary), assessment=assessment, code="1.3", files=[bad]
        )
    assert "upload" in caught.value.message_dict
    stored = services.evidence_add(
        actor=act(people.shushan_secretary), assessment=assessment, code="1.3", files=[pdf_upload()]
    )
    assert len(stored) == 1


# --- review ------------------------------------------------------------------------------------


def test_the_parent_adjusts_with_a_reason_and_higher_levels_have_the_last_word(
    submitted: dict[str, Assessment], tree: Tree, people: People
):
    assessment = submitted["340104"]
    with pytest.raises(ValidationError) as caught:
        services.assessment_adjust(
            actor=act(people.hefei_admin), assessment=assessment, code="1.2", score=2, reason=" "
        )
    assert "reason" in caught.value.message_dict
    before = Assessment.objects.get(pk=assessment.pk).total
    assert before is not None
    services.assessment_adjust(
        actor=act(people.hefei_admin),
        assessment=assessment,
        code="1.2",
        score=2,
        reason="分会覆盖不全",
    )
    row = Score.objects.get(assessment=assessment, code="1.2")
    assert row.final_score == 2
    assert Assessment.objects.get(pk=assessment.pk).total == before - 2
    services.assessment_adjust(
        actor=act(people.anhui_admin), assessment=assessment, code="1.2", score=3, reason="复核"
    )
    assert Score.objects.get(assessment=assessment, code="1.2").final_score == 3
    # The city changes its mind: the province's score stays final.
    services.assessment_adjust(
        actor=act(people.hefei_admin), assessment=assessment, code="1.2", score=1, reason="再核"
    )
    assert Score.objects.get(assessment=assessment, code="1.2").final_score == 3
    assert row.adjustments.count() == 2
    assert AssessmentEvent.objects.filter(assessment=assessment, kind="adjust").count() == 3


def test_nobody_reviews_their_own_unit(submitted: dict[str, Assessment], people: People):
    with pytest.raises(ForbiddenAction):
        services.assessment_adjust(
            actor=act(people.shushan_secretary),
            assessment=submitted["340104"],
            code="1.2",
            score=1,
            reason="x",
        )


def test_only_the_parent_approves_and_returns(submitted: dict[str, Assessment], people: People):
    assessment = submitted["340104"]
    with pytest.raises(ForbiddenAction):
        services.assessment_approve(actor=act(people.anhui_admin), assessment=assessment)
    with pytest.raises(ForbiddenAction):
        services.assessment_approve(actor=act(people.outsider), assessment=assessment)
    approved = services.assessment_approve(actor=act(people.hefei_admin), assessment=assessment)
    assert approved.state == AssessmentState.APPROVED
    with pytest.raises(DomainError) as caught:
        services.assessment_approve(actor=act(people.hefei_admin), assessment=assessment)
    assert caught.value.code == "wrong_state"


def test_a_return_reopens_it_for_the_next_round_and_keeps_the_reasons(
    submitted: dict[str, Assessment], tree: Tree, people: People
):
    assessment = submitted["340104"]
    with pytest.raises(ValidationError):
        services.assessment_return(
            actor=act(people.hefei_admin),
            assessment=assessment,
            reason="补充",
            indicators={"99": "x"},
        )
    returned = services.assessment_return(
        actor=act(people.hefei_admin),
        assessment=assessment,
        reason="请补充材料",
        indicators={"4.2": "经费来源无佐证"},
    )
    assert returned.state == AssessmentState.RETURNED and returned.round == 2
    assert Score.objects.get(assessment=assessment, code="4.2").returned_reason == "经费来源无佐证"
    services.score_save(
        actor=act(people.shushan_secretary), assessment=assessment, code="4.2", self_score=2
    )
    again = services.assessment_submit(actor=act(people.shushan_secretary), assessment=assessment)
    assert again.state == AssessmentState.SUBMITTED
    assert AssessmentEvent.objects.filter(assessment=assessment, kind="submit").count() == 2


def test_a_veto_fails_the_assessment_whatever_its_total(
    submitted: dict[str, Assessment], people: People
):
    assessment = submitted["340104"]
    CampaignRubric.objects.filter(campaign=assessment.campaign).update(bands=[["合格", "10"]])
    services.assessment_adjust(
        actor=act(people.hefei_admin), assessment=assessment, code="1.2", score=4, reason="核实"
    )
    assessment.refresh_from_db()
    total = assessment.total
    assert total is not None and total >= 10 and assessment.grade == "合格"
    services.assessment_adjust(
        actor=act(people.hefei_admin), assessment=assessment, code="11", score=1, reason="材料造假"
    )
    assessment.refresh_from_db()
    assert assessment.vetoed and assessment.grade == "不合格" and assessment.total == total


def test_a_stale_version_loses(submitted: dict[str, Assessment], people: People):
    assessment = submitted["340104"]
    loaded = assessment.lock_version
    services.assessment_adjust(
        actor=act(people.hefei_admin),
        assessment=assessment,
        code="1.2",
        score=2,
        reason="a",
        expected_lock_version=loaded,
    )
    with pytest.raises(ConflictError):
        services.assessment_approve(
            actor=act(people.hefei_admin), assessment=assessment, expected_lock_version=loaded
        )
    assert Assessment.objects.get(pk=assessment.pk).state == AssessmentState.SUBMITTED


# --- areas -------------------------------------------------------------------------------------


def test_area_approval_waits_for_every_association_and_locks_those_inside(
    submitted: dict[str, Assessment], running: Campaign, tree: Tree, people: People
):
    city, province, nation = act(people.hefei_admin), act(people.anhui_admin), act(people.national)
    services.assessment_approve(actor=city, assessment=submitted["340104"])
    with pytest.raises(DomainError) as caught:
        services.area_approve(actor=province, campaign=running, area=tree.hefei)
    assert caught.value.code == "area_not_ready" and caught.value.http_status == 409
    services.assessment_approve(actor=city, assessment=submitted["340111"])
    with pytest.raises(ForbiddenAction):  # only the area's parent
        services.area_approve(actor=nation, campaign=running, area=tree.hefei)
    with pytest.raises(ForbiddenAction):  # nobody approves their own area
        services.area_approve(actor=city, campaign=running, area=tree.hefei)
    services.area_approve(actor=province, campaign=running, area=tree.hefei)

    # The city's hands are tied inside its approved area.
    with pytest.raises(DomainError) as caught:
        services.assessment_unapprove(actor=city, assessment=submitted["340104"])
    assert caught.value.code == "locked"
    with pytest.raises(DomainError):
        services.assessment_adjust(
            actor=city, assessment=submitted["340104"], code="1.2", score=1, reason="x"
        )
    # The province may still adjust (it is above the lock).
    services.assessment_adjust(
        actor=province, assessment=submitted["340104"], code="1.2", score=3, reason="复核"
    )

    # The nation approves the province; now the province is locked too.
    services.area_approve(actor=nation, campaign=running, area=tree.anhui)
    with pytest.raises(DomainError) as caught:
        services.area_unapprove(actor=province, campaign=running, area=tree.hefei)
    assert caught.value.code == "locked"
    # One step at a time: the nation withdraws, then the province, then the city acts again.
    services.area_unapprove(actor=nation, campaign=running, area=tree.anhui)
    services.area_unapprove(actor=province, campaign=running, area=tree.hefei)
    services.assessment_unapprove(actor=city, assessment=submitted["340104"])
    assert Assessment.objects.get(pk=submitted["340104"].pk).state == AssessmentState.SUBMITTED
    assert not AreaApproval.objects.exists()


def test_a_province_waits_for_its_cities(
    submitted: dict[str, Assessment], running: Campaign, tree: Tree, people: People
):
    city, nation = act(people.hefei_admin), act(people.national)
    for assessment in submitted.values():
        services.assessment_approve(actor=city, assessment=assessment)
    with pytest.raises(DomainError) as caught:
        services.area_approve(actor=nation, campaign=running, area=tree.anhui)
    assert "1 cities" in str(caught.value.message) or "1" in str(caught.value.message)
    assert caught.value.code == "area_not_ready"
