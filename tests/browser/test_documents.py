"""Documents in Chromium: the grassroots secretary opens the inbox, opens the notice forwarding
the Standard, acknowledges it; the city's acknowledgement status shows the count change. At
desktop and phone width (screenshots in /tmp/shots/documents/)."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import People, Tree
from jiceng.documents.demo import seed_documents

from .conftest import no_sideways_scroll, sign_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/documents")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _acknowledged(page: Page) -> int:
    return int(page.get_by_test_id("total-acknowledged").inner_text().replace(",", ""))


def test_secretary_acknowledges_and_the_city_sees_the_count_change(
    browser: Browser, page: Page, live_server, tree: Tree, people: People
):
    notice = seed_documents(tree.root)
    assert notice is not None
    base = live_server.url
    status_url = f"{base}/documents/{notice.pk}/"

    # The city's part of the notice's tree: 合肥 itself, 蜀山区 and 包河区.
    city = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    city_page = city.new_page()
    city_page.set_default_timeout(15_000)
    sign_in(city_page, base, "hefei")
    city_page.goto(status_url)
    expect(city_page.get_by_test_id("status-unit")).to_have_text(tree.hefei.name)
    before = _acknowledged(city_page)
    expect(city_page.get_by_test_id("pending-row").filter(has_text="蜀山区")).to_be_visible()

    # The secretary: inbox → the notice → acknowledge.
    sign_in(page, base, "shushan")
    page.get_by_test_id("nav-documents").click()
    row = page.get_by_test_id("inbox-row").first
    expect(row).to_contain_text("工作规范")
    expect(row.get_by_test_id("receipt-state")).to_be_visible()
    _shot(page, "inbox-desktop")
    row.get_by_test_id("inbox-link").click()
    expect(page.get_by_test_id("document-title")).to_contain_text("工作规范")
    expect(page.get_by_test_id("attachments")).to_contain_text("占位")
    page.get_by_test_id("acknowledge").click()
    expect(page.get_by_role("alert").first).to_contain_text("工作规范")
    expect(page.get_by_test_id("acknowledged-at")).to_be_visible()
    expect(page.get_by_test_id("acknowledge")).to_have_count(0)
    _shot(page, "secretary-acknowledged-desktop")

    # The city's count went up by one, and 蜀山区 left the list of those still to acknowledge.
    city_page.reload()
    assert _acknowledged(city_page) == before + 1
    expect(city_page.get_by_test_id("pending-row").filter(has_text="蜀山区")).to_have_count(0)
    _shot(city_page, "city-status-desktop")
    city.close()

    # At phone width: the inbox, the notice and the status as cards, nothing sideways.
    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone_page = phone.new_page()
    phone_page.set_default_timeout(15_000)
    try:
        sign_in(phone_page, base, "shushan", on_phone=True)
        phone_page.goto(f"{base}/documents/")
        expect(phone_page.get_by_test_id("inbox")).to_be_visible()
        no_sideways_scroll(phone_page)
        _shot(phone_page, "inbox-phone")
        phone_page.get_by_test_id("inbox-link").first.click()
        expect(phone_page.get_by_test_id("document")).to_be_visible()
        no_sideways_scroll(phone_page)
        _shot(phone_page, "document-phone")
        phone_page.context.clear_cookies()
        sign_in(phone_page, base, "hefei", on_phone=True)
        phone_page.goto(status_url)
        expect(phone_page.get_by_test_id("status-children")).to_be_visible()
        no_sideways_scroll(phone_page)
        _shot(phone_page, "city-status-phone")
    finally:
        phone.close()
