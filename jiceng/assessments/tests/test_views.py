"""The assessment tab through the pages (the test client): every step of the chain, refusals
in place with what was typed, Chinese by default."""

from django.test import Client

from conftest import People, Tree, client_for
from jiceng.assessments.models import Assessment, AssessmentState, Score
from jiceng.campaigns.models import Campaign

from .conftest import fill


def tab(unit_pk: int) -> str:
    return f"/units/{unit_pk}/assessment/"


def post(client: Client, url: str, campaign: Campaign, **data: object):
    return client.post(url, {"campaign": campaign.pk, **data})


def test_the_chain_through_the_pages(running: Campaign, tree: Tree, people: People):
    secretary = client_for(people.shushan_secretary, language="en")
    page = secretary.get(tab(tree.shushan.pk))
    assert page.status_code == 200 and b'data-testid="start"' in page.content
    assert post(secretary, tab(tree.shushan.pk) + "start/", running).status_code == 302
    assessment = Assessment.objects.get(unit=tree.shushan)

    refused = post(
        secretary, tab(tree.shushan.pk) + "scores/1.2/", running, **{"s1.2-self_score": "9"}
    )
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "1.2: the score must lie between 0 and 4" in body and 'value="9"' in body

    missing = post(secretary, tab(tree.shushan.pk) + "submit/", running)
    assert missing.status_code == 400 and "give a score" in missing.content.decode()

    fill(assessment, people.shushan_secretary)
    assert post(secretary, tab(tree.shushan.pk) + "submit/", running).status_code == 302
    assert Assessment.objects.get(pk=assessment.pk).state == AssessmentState.SUBMITTED

    city = client_for(people.hefei_admin, language="en")
    sheet = city.get(tab(tree.shushan.pk)).content.decode()
    assert 'data-testid="approve"' in sheet and 'data-testid="adjust-form"' in sheet
    no_reason = post(city, tab(tree.shushan.pk) + "adjust/1.2/", running, **{"a1.2-score": "2"})
    assert no_reason.status_code == 400 and "This field is required" in no_reason.content.decode()
    assert (
        post(
            city,
            tab(tree.shushan.pk) + "adjust/1.2/",
            running,
            **{"a1.2-score": "2", "a1.2-reason": "分会覆盖不全"},
        ).status_code
        == 302
    )
    assert Score.objects.get(assessment=assessment, code="1.2").final_score == 2
    assert (
        post(
            city,
            tab(tree.shushan.pk) + "return/",
            running,
            **{"ret-reason": "请补充", "ret-indicators": "4.2：经费来源无佐证"},
        ).status_code
        == 302
    )
    returned = secretary.get(tab(tree.shushan.pk)).content.decode()
    assert "经费来源无佐证" in returned and 'data-state="returned"' in returned
    assert post(secretary, tab(tree.shushan.pk) + "submit/", running).status_code == 302
    assert post(city, tab(tree.shushan.pk) + "approve/", running).status_code == 302

    # The province sees the city's area, not ready until 包河区 is approved too.
    province = client_for(people.anhui_admin, language="en")
    overview = province.get(tab(tree.anhui.pk)).content.decode()
    assert 'data-unit="340100"' in overview and 'data-testid="area-approve"' in overview
    answer = post(province, tab(tree.hefei.pk) + "approve-area/", running)
    assert answer.status_code == 302
    followed = province.get(answer["Location"]).content.decode()
    assert "cannot be approved yet" in followed


def test_chinese_by_default_and_others_cannot_act(running: Campaign, tree: Tree, people: People):
    secretary = client_for(people.shushan_secretary)
    assert "开始自查" in secretary.get(tab(tree.shushan.pk)).content.decode()
    baohe = client_for(people.baohe_secretary)
    assert baohe.get(tab(tree.shushan.pk)).status_code == 404
    assert post(baohe, tab(tree.shushan.pk) + "start/", running).status_code == 404
    viewer = client_for(people.viewer)
    assert post(viewer, tab(tree.shushan.pk) + "start/", running).status_code == 403


def test_the_score_sheet_prints_as_a_pdf_with_chinese_fonts(
    submitted: dict, tree: Tree, people: People
):
    from jiceng.assessments.score_sheet import score_sheet_pdf

    assessment = submitted["340104"]
    client = client_for(people.hefei_admin)
    response = client.get(
        f"/units/{tree.shushan.pk}/assessment/score-sheet.pdf?campaign={assessment.campaign_id}"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF") and b"NotoSerifCJK" in body
    assert "inline" in response["Content-Disposition"]
    # A picture of its first page is not blank (looked at: var/screenshots/score-sheet.png).
    from io import BytesIO
    from pathlib import Path

    from django.conf import settings
    from PIL import Image

    png = score_sheet_pdf(assessment, image=True)
    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    (shots / "score-sheet.png").write_bytes(png)
    image = Image.open(BytesIO(png)).convert("L")
    assert image.size[1] > image.size[0]  # A4 portrait
    dark = image.histogram()[:128]
    assert sum(dark) > 5000


def test_the_area_tab_and_the_sheet_keep_a_flat_query_count(
    running: Campaign, tree: Tree, people: People
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jiceng.assessments import services
    from jiceng.core.actor import Actor
    from jiceng.core.tests.helpers import add_children

    from .conftest import quick_fill

    def count(client: Client, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def assess(units: list) -> None:
        for unit in units:
            assessment = services.assessment_open(actor=Actor.system(), campaign=running, unit=unit)
            quick_fill(assessment)
            services.assessment_submit(actor=Actor.system(), assessment=assessment)

    province = client_for(people.anhui_admin)
    area = tab(tree.anhui.pk)
    sheet = tab(tree.shushan.pk)
    assess([tree.shushan])
    few = (count(province, area), count(province, sheet))
    assess(add_children(tree.hefei, 12))
    services.assessment_adjust(
        actor=Actor(user=people.anhui_admin),
        assessment=services.assessment_open(
            actor=Actor.system(), campaign=running, unit=tree.shushan
        ),
        code="1.2",
        score=1,
        reason="复核",
    )
    assert (count(province, area), count(province, sheet)) == few
