"""Real-browser flows: sign in, edit the venue, see the history; outsiders fail; language."""

import re

import pytest
from playwright.sync_api import Page, expect

from conftest import People, Tree

from .conftest import no_sideways_scroll, shot, sign_in

pytestmark = pytest.mark.browser


def test_secretary_edits_the_venue_and_sees_it_in_the_history(
    page: Page, live_server, tree: Tree, people: People
):
    sign_in(page, live_server.url, "shushan")
    expect(page.locator("h1")).to_have_text("蜀山区个私协会")
    shot(page, "unit-page")
    page.get_by_role("link", name="档案").click()
    page.get_by_test_id("venue").get_by_role("link", name="编辑").click()
    page.get_by_label("地址").fill("合肥市蜀山区长江西路100号")
    page.get_by_label("面积（平方米）").fill("-10")
    page.get_by_test_id("save").click()
    expect(page.locator('[data-field="floor_area"]')).to_contain_text("大于或等于0")
    shot(page, "venue-error")
    page.get_by_label("面积（平方米）").fill("180")
    page.get_by_label("会员之家").check()
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("venue-address")).to_have_text("合肥市蜀山区长江西路100号")
    expect(page.get_by_test_id("venue-area")).to_have_text("180.00")
    page.get_by_role("link", name="变更记录").click()
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("修改场地信息")  # the action's label, not its code
    expect(history).not_to_contain_text("profile.venue.update")
    expect(history).to_contain_text("合肥市蜀山区长江西路100号")
    expect(history).to_contain_text("shushan")
    shot(page, "history")


def test_outsider_cannot_reach_the_unit(page: Page, live_server, tree: Tree, people: People):
    sign_in(page, live_server.url, "jiangsu")
    response = page.goto(f"{live_server.url}/units/{tree.shushan.pk}/")
    assert response is not None and response.status == 404
    response = page.goto(f"{live_server.url}/units/{tree.shushan.pk}/venue/")
    assert response is not None and response.status == 404
    page.goto(f"{live_server.url}/units/search/?q=蜀山")
    expect(page.get_by_text("找到 0 个单位")).to_be_visible()


def test_switch_language_and_back(page: Page, live_server, tree: Tree, people: People):
    sign_in(page, live_server.url, "hefei")
    expect(page.get_by_role("link", name=re.compile(r"^下级单位"))).to_be_visible()
    page.get_by_test_id("language").select_option("en")
    expect(page.get_by_role("link", name=re.compile(r"^Sub-units"))).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shot(page, "english")
    page.get_by_test_id("language").select_option("zh-hans")
    expect(page.get_by_role("link", name=re.compile(r"^下级单位"))).to_be_visible()


def test_live_search_and_drill_down(page: Page, live_server, tree: Tree, people: People):
    sign_in(page, live_server.url, "anhui")
    page.goto(f"{live_server.url}/units/search/")
    page.get_by_test_id("search-input").fill("包河")
    results = page.get_by_test_id("search-results")
    expect(results).to_contain_text("包河区个私协会")
    expect(results).not_to_contain_text("蜀山区")
    results.get_by_role("link", name="包河区个私协会").click()
    expect(page.get_by_test_id("breadcrumbs")).to_contain_text("安徽省个私协会")
    expect(page.get_by_test_id("unit-code")).to_have_text("340111")


def test_phone_width_layout(browser, live_server, tree: Tree, people: People):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    sign_in(page, live_server.url, "hefei", on_phone=True)
    no_sideways_scroll(page)
    page.get_by_role("button", name="菜单").click()
    expect(page.get_by_role("link", name="账号", exact=True)).to_be_visible()
    page.wait_for_timeout(400)  # let the menu finish opening
    shot(page, "phone")
    context.close()
