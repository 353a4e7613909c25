"""Results: the ranking's tie rule, the distribution, grades per child, the page's flat query
count and the export."""

import io
from decimal import Decimal

import openpyxl
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import People, Tree, client_for
from jiceng.assessments import selectors, services
from jiceng.assessments.models import Assessment, AssessmentState
from jiceng.campaigns.models import Campaign
from jiceng.core.actor import Actor
from jiceng.core.tests.helpers import add_children
from jiceng.org.models import Unit

from .conftest import quick_fill

SYSTEM = Actor.system()


def approve(campaign: Campaign, unit: Unit, total: str, *, vetoed: bool = False) -> Assessment:
    """An approved assessment of `unit`, its total set directly (the ranking reads totals)."""
    assessment = services.assessment_open(actor=SYSTEM, campaign=campaign, unit=unit)
    quick_fill(assessment)
    assessment = services.assessment_submit(actor=SYSTEM, assessment=assessment)
    assessment = services.assessment_approve(actor=SYSTEM, assessment=assessment)
    Assessment.objects.filter(pk=assessment.pk).update(
        total=Decimal(total), vetoed=vetoed, grade="不合格" if vetoed else "合格"
    )
    return assessment


def test_ranking_shares_ties_skips_after_them_and_puts_vetoes_last(running: Campaign, tree: Tree):
    units = add_children(tree.hefei, 4)
    approve(running, tree.shushan, "88")
    approve(running, tree.baohe, "92", vetoed=True)
    approve(running, units[0], "90")
    approve(running, units[1], "88")
    approve(running, units[2], "70")
    services.assessment_open(actor=SYSTEM, campaign=running, unit=units[3])  # a draft: unranked
    ranked = [(a.unit.code, a.rank) for a in selectors.ranking(running, tree.hefei)]  # type: ignore[attr-defined]
    assert [rank for _code, rank in ranked] == [1, 2, 2, 4, 5]
    assert ranked[0][0] == units[0].code
    assert ranked[-1][0] == tree.baohe.code  # vetoed: last whatever its total
    assert sorted(c for c, r in ranked if r == 2) == [c for c, r in ranked if r == 2]  # by code


def test_distribution_and_grades_by_child(running: Campaign, tree: Tree):
    approve(running, tree.shushan, "95")
    approve(running, tree.baohe, "61")
    approve(running, tree.xuanwu, "59.9")
    bands = dict(selectors.distribution(running, tree.root))
    assert bands == {"0–59.9": 1, "60–69.9": 1, "70–79.9": 0, "80–89.9": 0, "90–100": 1}
    by_province = {row.unit.code: row for row in selectors.grades_by_child(running, tree.root)}
    assert by_province["340000"].approved == 2 and by_province["340000"].average == Decimal("78.0")
    assert by_province["320000"].grades == {"合格": 1}


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_results_page_keeps_a_flat_query_count(running: Campaign, tree: Tree, people: People):
    client = client_for(people.anhui_admin)
    url = f"/units/{tree.anhui.pk}/assessment/results/?campaign={running.pk}"
    approve(running, tree.shushan, "80")
    few = _queries(client, url)
    for unit in add_children(tree.hefei, 12):
        approve(running, unit, "75")
    assert _queries(client, url) == few
    page = client.get(url).content.decode()
    assert 'data-testid="chart-distribution"' in page and 'data-testid="ranked"' in page


def test_the_ranking_exports_as_xlsx(running: Campaign, tree: Tree, people: People):
    approve(running, tree.shushan, "80")
    response = client_for(people.hefei_admin).get(
        f"/units/{tree.hefei.pk}/assessment/results.xlsx?campaign={running.pk}"
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == (1, "340104", "蜀山区个私协会")
    assert Assessment.objects.filter(state=AssessmentState.APPROVED).count() == 1
