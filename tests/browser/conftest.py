"""Playwright driving Debian's Chromium (no browser download) against the live server."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect, sync_playwright

from conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(settings.VAR_DIR) / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, base: str, username: str, *, on_phone: bool = False) -> None:
    """Sign in through the login form; on a phone the name sits behind the menu, so wait
    for the unit page instead."""
    page.goto(f"{base}/login/")
    page.get_by_label("用户名或手机号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_test_id("sign-in").click()
    if on_phone:
        page.wait_for_url(re.compile(r"/units/\d+/"))
    else:
        expect(page.get_by_test_id("whoami")).to_be_visible()


def no_sideways_scroll(page: Page) -> None:
    """Nothing wider than the screen. `clientWidth`, not `innerWidth`: a phone browser zooms out
    to show content wider than the phone, and its `innerWidth` grows with that content — so
    the zoom is checked too (the viewport's width, unchanged)."""
    inner, scroll, client = page.evaluate(
        "[window.innerWidth, document.documentElement.scrollWidth, "
        "document.documentElement.clientWidth]"
    )
    viewport = page.viewport_size
    assert viewport is None or inner <= viewport["width"], f"zoomed out to {inner}px"
    assert scroll <= client, f"the page is {scroll - client}px wider than the screen"
