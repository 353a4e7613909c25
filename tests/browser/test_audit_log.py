"""The audit log on a phone (390 px): rows become cards, the unit stays readable, nothing
scrolls sideways; the words are Chinese and no personal value shows (issue 9, items 6, 24)."""

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from conftest import People, Tree
from jiceng.activities.services.complaints import complaint_submit
from jiceng.core.actions import group_label, label_for
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record

from .conftest import no_sideways_scroll, shot, sign_in

pytestmark = pytest.mark.browser

PHONE = "13955120012"


def test_the_audit_log_reads_on_a_phone(browser, live_server, tree: Tree, people: People):
    complaint_submit(
        actor=Actor(user=None, source_address="203.0.113.9"),
        unit=tree.shushan,
        data={
            "kind": "complaint",
            "subject": "收费不合理",
            "content": "市场管理方多收了摊位费。",
            "submitter_name": "王小明",
            "submitter_contact": PHONE,
        },
    )
    audit_record(
        actor=Actor(user=people.shushan_secretary, source_address="198.51.100.7"),
        action="security.sign_in",
        unit=tree.shushan,
        object_repr=people.shushan_secretary.username,
    )
    # Chinese once the lead merges var/i18n/audit-log.po (登录成功, 全部安全事件).
    with translation.override("zh-hans"):
        signed_in, security = label_for("security.sign_in"), group_label("security.")
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page: Page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server.url, "hefei", on_phone=True)
        page.goto(f"{live_server.url}/audit/")
        table = page.get_by_test_id("audit")
        expect(table).to_be_visible()
        expect(table).to_contain_text(signed_in)
        expect(table).to_contain_text("198.51.100.7")
        expect(table).not_to_contain_text(PHONE)
        expect(table).not_to_contain_text("complaint.submit")
        shot(page, "audit-log-phone")

        unit_cell = table.locator("td.audit-unit").first
        box = unit_cell.bounding_box()
        assert box is not None and box["width"] > 120, box
        link = unit_cell.locator("a")
        link_box = link.bounding_box()
        # One line, not a column of single characters.
        assert link_box is not None and link_box["width"] > 80, link_box
        assert link_box["height"] < 40, link_box
        no_sideways_scroll(page)

        # The filter by translated label: the security events only.
        page.get_by_label("操作").select_option(label=security)
        page.get_by_role("button", name="筛选").click()
        expect(page.get_by_test_id("audit-filter").locator("select")).to_have_value("security.")
        actions = page.get_by_test_id("action").all_inner_texts()
        assert actions and set(actions) <= {signed_in}, actions  # hefei's own sign-in too
        shot(page, "audit-log-phone-security")
    finally:
        context.close()
