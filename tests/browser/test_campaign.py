"""The campaign tab (建设年) in Chromium: the grassroots secretary completes a form task, and the
city admin's progress table shows 蜀山区's reporting rate change; at desktop and phone width."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import People, Tree
from jiceng.campaigns.demo import seed_campaigns
from jiceng.campaigns.models import Task

from .conftest import shot, sign_in

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"


def _shushan_rate(page: Page) -> str:
    line = page.get_by_test_id("child-line").filter(has_text="蜀山区")
    return line.get_by_test_id("reporting-rate").inner_text()


def test_secretary_completes_a_task_and_the_city_sees_the_rate_change(
    browser: Browser, page: Page, live_server, tree: Tree, people: People
):
    _seed, current = seed_campaigns(tree.root)
    task = Task.objects.get(phase__campaign=current, title="自查", parent_task__isnull=True)
    base = live_server.url

    # The city sees 蜀山区 at 0%.
    city = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    city_page = city.new_page()
    city_page.set_default_timeout(15_000)
    sign_in(city_page, base, "hefei")
    city_page.goto(f"{base}/units/{tree.hefei.pk}/campaign/")
    expect(city_page.get_by_test_id("campaign-children")).to_be_visible()
    assert _shushan_rate(city_page) == "0.0%"

    # The secretary completes 自查 with a note; a missing note is refused next to the field.
    sign_in(page, base, "shushan")
    page.goto(f"{base}/units/{tree.shushan.pk}/")
    page.locator(f'a[href="/units/{tree.shushan.pk}/campaign/"]').first.click()
    row = page.locator(f'[data-testid="task-row"][data-task="{task.pk}"]')
    row.get_by_test_id("complete").click()
    row = page.locator(f'[data-testid="task-row"][data-task="{task.pk}"]')
    expect(row.locator('[data-field="note"]')).to_contain_text("必填")
    row.get_by_label("备注").fill("已完成组织建设和会员服务自查，形成改进措施。")
    shot(page, "campaign-secretary-desktop")
    row.get_by_test_id("complete").click()
    expect(page.get_by_role("alert").first).to_contain_text("自查")
    row = page.locator(f'[data-testid="task-row"][data-task="{task.pk}"]')
    expect(row).to_have_attribute("data-state", re.compile("^(on_time|late)$"))

    # The city's tab now shows 蜀山区 at 1 of 5 tasks.
    city_page.reload()
    assert _shushan_rate(city_page) == "20.0%"
    shot(city_page, "campaign-city-desktop")
    city_page.get_by_test_id("child-line").filter(has_text="蜀山区").get_by_role("link").click()
    expect(city_page.get_by_test_id("waive-form").first).to_be_visible()
    city.close()

    # At phone width: cards, nothing scrolls sideways.
    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone_page = phone.new_page()
    phone_page.set_default_timeout(15_000)
    try:
        sign_in(phone_page, base, "hefei", on_phone=True)
        phone_page.goto(f"{base}/units/{tree.hefei.pk}/campaign/")
        expect(phone_page.get_by_test_id("campaign-children")).to_be_visible()
        _no_sideways_scroll(phone_page)
        shot(phone_page, "campaign-city-phone")
        phone_page.goto(f"{base}/units/{tree.shushan.pk}/campaign/")
        _no_sideways_scroll(phone_page)
        shot(phone_page, "campaign-shushan-phone")
    finally:
        phone.close()
