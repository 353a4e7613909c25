"""The notification centre in Chromium: after the daily job, a grassroots secretary with an
overdue campaign task sees the bell's count, opens the list and follows the notification to
the campaign tab; the count goes down. At desktop and phone width (390 px)."""

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from conftest import People, Tree
from jiceng.campaigns import services
from jiceng.core.actor import Actor
from jiceng.notifications.reminders import run_reminders

from .conftest import no_sideways_scroll, sign_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/notifications")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _overdue_campaign(tree: Tree, people: People) -> None:
    """A running 2009 campaign whose grassroots tasks fell due in March; the job runs on
    1 April: 蜀山区 has two overdue tasks."""
    actor = Actor(user=people.national)
    campaign = services.campaign_create(actor=actor, unit=tree.root, name="建设年", year=2009)
    phase = services.phase_create(
        actor=actor,
        campaign=campaign,
        data={
            "name": "准备动员",
            "starts": datetime.date(2009, 3, 1),
            "ends": datetime.date(2009, 3, 31),
        },
    )
    for title, day in (("制定实施方案", 20), ("召开动员部署大会", 31)):
        services.task_create(
            actor=actor,
            phase=phase,
            owner_unit=tree.root,
            data={
                "level": "grassroots",
                "title": title,
                "deadline": datetime.date(2009, 3, day),
                "completion": "form",
            },
        )
    services.campaign_start(actor=actor, campaign=campaign)
    assert run_reminders(datetime.date(2009, 4, 1)) > 0


def _open_first(page: Page, tree: Tree) -> None:
    expect(page.get_by_test_id("bell-count")).to_have_text("2 条未读")
    page.get_by_test_id("nav-bell").click()
    expect(page.get_by_test_id("notification")).to_have_count(2)
    first = page.get_by_test_id("notification").first
    expect(first).to_have_attribute("data-state", "unread")
    expect(first).to_contain_text("已于2009-03-31到期，尚未完成")


def test_a_secretary_follows_an_overdue_notification(
    browser: Browser, page: Page, live_server, tree: Tree, people: People
):
    _overdue_campaign(tree, people)
    base = live_server.url

    sign_in(page, base, "shushan")
    _open_first(page, tree)
    _shot(page, "list-desktop")
    page.get_by_test_id("notification-open").first.click()
    page.wait_for_url(f"{base}/units/{tree.shushan.pk}/campaign/")
    expect(page.get_by_test_id("unit-tasks")).to_be_visible()
    expect(page.get_by_test_id("bell-count")).to_have_text("1 条未读")
    _shot(page, "followed-desktop")
    page.get_by_test_id("nav-bell").click()
    expect(page.get_by_test_id("notification").first).to_have_attribute("data-state", "read")

    # At phone width: the bell stays in view beside the menu; nothing scrolls sideways.
    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone_page = phone.new_page()
    phone_page.set_default_timeout(15_000)
    try:
        sign_in(phone_page, base, "hefei", on_phone=True)
        expect(phone_page.get_by_test_id("nav-bell")).to_be_visible()
        _shot(phone_page, "bell-phone")
        phone_page.get_by_test_id("nav-bell").click()
        # 合肥 hears of both associations' two overdue tasks.
        expect(phone_page.get_by_test_id("notification")).to_have_count(4)
        expect(phone_page.get_by_test_id("notification").first).to_contain_text("尚未完成")
        no_sideways_scroll(phone_page)
        _shot(phone_page, "list-phone")
        phone_page.get_by_test_id("read-all").click()
        expect(phone_page.get_by_test_id("bell-count")).to_have_count(0)
        expect(phone_page.locator('[data-state="unread"]')).to_have_count(0)
    finally:
        phone.close()
