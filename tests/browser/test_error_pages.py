"""Error pages in Chromium (issue 9, item 9): Chinese, in the site's layout with its header,
saying what happened and leading home."""

import pytest
from playwright.sync_api import Page, expect

from conftest import People, Tree

from .conftest import shot, sign_in

pytestmark = pytest.mark.browser


def test_404_page_in_chinese_with_the_site_header(page: Page, live_server, tree: Tree):
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("nav.navbar")).to_be_visible()
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.get_by_text("管辖范围")).to_be_visible()
    shot(page, "error-404")
    page.get_by_test_id("error-home").click()
    page.wait_for_url(f"{live_server.url}/login/?next=/")
    expect(page.get_by_label("用户名或手机号")).to_be_visible()


def test_403_page_in_chinese_for_a_signed_in_user(
    page: Page, live_server, tree: Tree, people: People
):
    sign_in(page, live_server.url, "viewer")
    response = page.goto(f"{live_server.url}/units/{tree.shushan.pk}/edit/")
    assert response is not None and response.status == 403
    expect(page.get_by_test_id("whoami")).to_be_visible()  # the site header, signed in
    expect(page.get_by_role("heading", name="无权访问")).to_be_visible()
    expect(page.get_by_text("错误 403")).to_be_visible()
    shot(page, "error-403")
    page.get_by_test_id("error-home").click()
    page.wait_for_url(f"{live_server.url}/units/{tree.hefei.pk}/")


def test_an_out_of_scope_edit_page_is_the_404_page(
    page: Page, live_server, tree: Tree, people: People
):
    """Branch staff opening their parent association's edit page (item 10)."""
    sign_in(page, live_server.url, "branch")
    response = page.goto(f"{live_server.url}/units/{tree.shushan.pk}/edit/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
