"""The nine-standards assessment in Chromium, the whole chain: the secretary self-inspects
with evidence and sees a flagged indicator; the city adjusts a score with a reason and
returns it; the secretary fixes and resubmits; the city approves; the province approves the
city's area. At desktop and phone width, in Chinese."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import People, Tree
from jiceng.assessments import services
from jiceng.assessments.demo import seed_demo_assessments
from jiceng.assessments.models import AreaApproval, Assessment, AssessmentState
from jiceng.campaigns.demo import seed_campaigns
from jiceng.core.actor import Actor
from jiceng.core.tests.uploads import pdf_upload

from .conftest import no_sideways_scroll, shot, sign_in

pytestmark = pytest.mark.browser


def _indicator(page: Page, code: str):
    return page.locator(f'[data-testid="indicator"][data-code="{code}"]')


def _forms(page: Page, code: str):
    return page.locator(f'[data-testid="indicator-forms"][data-code="{code}"]')


def test_the_assessment_chain(
    browser: Browser, page: Page, live_server, tree: Tree, people: People, tmp_path: Path
):
    _seed, current = seed_campaigns(tree.root)
    seed_demo_assessments(current)  # 蜀山区 and 包河区 in self-inspection, as the demo leaves them
    base = live_server.url
    evidence = tmp_path / "批准文件.pdf"
    evidence.write_bytes(pdf_upload().read())

    # The secretary: a flagged indicator, and a submission refused until the evidence is there.
    sign_in(page, base, "shushan")
    page.goto(f"{base}/units/{tree.shushan.pk}/assessment/")
    expect(page.get_by_test_id("assessment-state")).to_have_text("自查中")
    flagged = page.locator('[data-testid="indicator"][data-flagged="1"]')
    expect(flagged).to_have_count(1)
    expect(flagged.get_by_test_id("flag")).to_contain_text("数据计算为")
    page.get_by_test_id("submit").click()
    errors = page.get_by_test_id("submit-errors")
    expect(errors).to_contain_text("1.3")
    expect(errors).to_contain_text("佐证材料")
    for code in ("1.3", "5.1"):
        forms = _forms(page, code)
        forms.locator('input[type="file"]').set_input_files(str(evidence))
        forms.get_by_test_id("upload").click()
        expect(_indicator(page, code).get_by_test_id("evidence-files")).to_contain_text("批准文件")
    shot(page, "assessment-secretary-desktop")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("assessment-state")).to_have_text("已提交")

    # An overdue rectification item (合肥 found it): closed with proof.
    item = page.locator('[data-testid="rectification-item"][data-overdue="1"]')
    expect(item).to_have_count(1)
    item.locator("summary").click()
    item.get_by_label("整改情况").fill("已争取财政补助，开展有偿服务。")
    item.locator('input[type="file"]').set_input_files(str(evidence))
    item.get_by_test_id("close").click()
    expect(page.locator('[data-testid="rectification-item"]').first).to_have_attribute(
        "data-state", "closed"
    )

    # The city: an adjustment without a reason is refused in place, then saved with one.
    city = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    city_page = city.new_page()
    city_page.set_default_timeout(15_000)
    sign_in(city_page, base, "hefei")
    city_page.goto(f"{base}/units/{tree.hefei.pk}/assessment/")
    city_page.locator('[data-testid="association"][data-unit="340104"]').get_by_role("link").click()
    forms = _forms(city_page, "1.2")
    forms.locator("summary").click()
    forms.get_by_label("得分").fill("2")
    forms.get_by_test_id("save-adjust").click()
    forms = _forms(city_page, "1.2")
    expect(forms.locator('[data-field="reason"]')).to_be_visible()
    expect(forms.get_by_label("得分")).to_have_value("2")  # what was typed is kept
    forms.get_by_label("原因").fill("分会覆盖不全，扣2分。")
    forms.get_by_test_id("save-adjust").click()
    row = _indicator(city_page, "1.2")
    expect(row.get_by_test_id("level-city")).to_contain_text("分会覆盖不全")
    expect(row.get_by_test_id("final")).to_have_text("2.0")
    # The city verifies the closed rectification item: no longer overdue.
    verify = city_page.get_by_test_id("verify-form")
    verify.get_by_label("通过").check()
    verify.get_by_test_id("verify").click()
    expect(city_page.locator('[data-testid="rectification-item"]').first).to_have_attribute(
        "data-state", "verified"
    )
    expect(city_page.locator('[data-overdue="1"]')).to_have_count(0)
    city_page.get_by_test_id("return-details").locator("summary").click()
    returning = city_page.get_by_test_id("return-form")
    returning.locator('textarea[name="ret-reason"]').fill("请补充经费来源的佐证。")
    returning.get_by_label("逐项退回原因").fill("4.2：会费以外的经费来源缺少依据")
    city_page.get_by_test_id("return").click()
    expect(city_page.get_by_test_id("assessment-state")).to_have_text("已退回")

    # The secretary sees why, fixes 4.2 and submits again.
    page.reload()
    expect(_indicator(page, "4.2").get_by_test_id("returned-reason")).to_contain_text("缺少依据")
    forms = _forms(page, "4.2")
    if not forms.get_by_label("自评分").is_visible():
        forms.locator("summary").click()
    forms.get_by_label("自评分").fill("1")
    forms.get_by_test_id("save-score").click()
    expect(_indicator(page, "4.2").get_by_test_id("self-score")).to_contain_text("1.0")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("assessment-state")).to_have_text("已提交")

    # The city approves 蜀山区 and 包河区 (submitted meanwhile by its secretary).
    baohe = Assessment.objects.get(unit=tree.baohe)
    services.evidence_add(
        actor=Actor(user=people.baohe_secretary), assessment=baohe, code="1.3", files=[pdf_upload()]
    )
    services.evidence_add(
        actor=Actor(user=people.baohe_secretary), assessment=baohe, code="5.1", files=[pdf_upload()]
    )
    services.assessment_submit(actor=Actor(user=people.baohe_secretary), assessment=baohe)
    for unit in (tree.shushan, tree.baohe):
        city_page.goto(f"{base}/units/{unit.pk}/assessment/")
        city_page.get_by_test_id("approve").click()
        expect(city_page.get_by_test_id("assessment-state")).to_have_text("已审核通过")
    shot(city_page, "assessment-city-desktop")
    city.close()

    # The province approves 合肥's area; the city is then locked out of it.
    province = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    province_page = province.new_page()
    province_page.set_default_timeout(15_000)
    sign_in(province_page, base, "anhui")
    province_page.goto(f"{base}/units/{tree.anhui.pk}/assessment/")
    area = province_page.locator('[data-testid="area"][data-unit="340100"]')
    expect(area).to_contain_text("2 / 2")
    area.get_by_test_id("area-approve").click()
    expect(province_page.locator('[data-testid="area"][data-unit="340100"]')).to_have_attribute(
        "data-approved", "1"
    )
    # The ranking and the charts show the result.
    province_page.get_by_test_id("results-link").click()
    expect(province_page.get_by_test_id("ranked")).to_have_count(2)
    expect(province_page.get_by_test_id("chart-distribution").locator("canvas")).to_be_visible()
    expect(province_page.get_by_test_id("chart-grades").locator("canvas")).to_be_visible()
    shot(province_page, "assessment-results-desktop")
    province.close()
    assert AreaApproval.objects.filter(unit=tree.hefei).exists()
    assert Assessment.objects.get(unit=tree.shushan).state == AssessmentState.APPROVED


def test_the_sheet_fits_a_phone(browser: Browser, live_server, tree: Tree, people: People):
    _seed, current = seed_campaigns(tree.root)
    seed_demo_assessments(current)
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, "shushan", on_phone=True)
    page.goto(f"{live_server.url}/units/{tree.shushan.pk}/assessment/")
    expect(page.get_by_test_id("sheet")).to_be_visible()
    no_sideways_scroll(page)
    shot(page, "assessment-secretary-phone")
    context.close()
