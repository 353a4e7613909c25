"""Roll-up tables on a phone (390 px): each row becomes a card whose first cell (the unit) is
readable, nothing scrolls sideways, the collection-rate bar is whole; on a desktop the columns
sort by a click on their header (issue 9 item 23)."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import People, Tree
from jiceng.activities.tests.helpers import make_activity, make_complaint, move
from jiceng.dues.tests.helpers import pay, set_standards
from jiceng.members.tests.factories import make_member

from .conftest import no_sideways_scroll, shot, sign_in

pytestmark = pytest.mark.browser
YEAR = timezone.localdate().year


@pytest.fixture
def figures(tree: Tree):
    set_standards(tree.shushan, YEAR, individual="190")
    set_standards(tree.baohe, YEAR, individual="2000")
    for _ in range(3):
        member = make_member(tree.shushan)
    pay(member, "190", year=YEAR, paid_on=timezone.localdate())
    big = make_member(tree.baohe)
    pay(big, "1500", year=YEAR, paid_on=timezone.localdate())
    make_activity(tree.shushan, participants=1200, members_served=1100)
    move(make_complaint(tree.shushan), "resolved", "已解决")


PAGES = {
    "dues": ("/units/{pk}/dues/?year={year}", "dues-children"),
    "activities": ("/units/{pk}/activities/summary/?year={year}", "activity-rollup"),
    "complaints": ("/units/{pk}/complaints/summary/?year={year}", "complaint-rollup"),
    "rules": ("/units/{pk}/rules/", "children-coverage"),
    "recognition": ("/units/{pk}/recognition/", "recognition-rollup"),
}


def test_rollup_tables_read_on_a_phone(browser, live_server, tree: Tree, people: People, figures):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server.url, "hefei", on_phone=True)
        for name, (path, testid) in PAGES.items():
            page.goto(live_server.url + path.format(pk=tree.hefei.pk, year=YEAR))
            table = page.get_by_test_id(testid)
            expect(table).to_be_visible()
            first_cells = table.locator("tbody tr > :first-child")
            assert first_cells.count() >= 2, name
            for i in range(first_cells.count()):
                cell = first_cells.nth(i)
                box = cell.bounding_box()
                assert box is not None
                stacked = cell.evaluate("c => getComputedStyle(c).display") == "block"
                assert stacked or box["width"] > 120, (name, i, box)
                assert box["width"] > 120, (name, i, box)  # stacked: the card's full width
            no_sideways_scroll(page)
            shot(page, f"rollup-phone-{name}")
        # The collection-rate bars are whole, inside the screen.
        page.goto(live_server.url + PAGES["dues"][0].format(pk=tree.hefei.pk, year=YEAR))
        bars = page.locator('[data-testid="dues-children"] progress')
        assert bars.count() >= 2
        width = page.evaluate("window.innerWidth")
        for i in range(bars.count()):
            box = bars.nth(i).bounding_box()
            assert box is not None and box["width"] >= 40
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
    finally:
        context.close()


def test_rollup_columns_sort_on_a_click(
    page: Page, live_server, tree: Tree, people: People, figures
):
    sign_in(page, live_server.url, "hefei")
    page.goto(f"{live_server.url}/units/{tree.hefei.pk}/dues/?year={YEAR}")
    table = page.get_by_test_id("dues-children")
    header = table.locator("thead th").nth(3)  # due (yuan)
    rows = table.locator("tbody tr > :first-child")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    ascending = [rows.nth(i).inner_text() for i in range(rows.count())]
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    descending = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert ascending[0] == "蜀山区个私协会" and descending[0] == "包河区个私协会"
    # Sort by the unit name, then by the rate (a number, from data-sort-value).
    table.locator("thead th").nth(5).get_by_role("button").click()
    expect(table.locator("thead th").nth(5)).to_have_attribute("aria-sort", "ascending")
    expect(header).not_to_have_attribute("aria-sort", "ascending")
    shot(page, "rollup-desktop-dues-sorted")
