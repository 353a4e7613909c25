"""A member complains from a phone with no account; the grassroots secretary handles it."""

import re

import pytest
from playwright.sync_api import Page, expect

from conftest import People, Tree
from jiceng.activities import antiabuse
from jiceng.activities.models import Complaint

from .conftest import no_sideways_scroll, shot, sign_in

pytestmark = pytest.mark.browser


def test_member_complains_on_a_phone_and_the_secretary_resolves_it(
    browser, page: Page, live_server, tree: Tree, people: People
):
    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    member = phone.new_page()
    member.set_default_timeout(15_000)
    member.goto(f"{live_server.url}/public/units/{tree.shushan.code}/complaints/new/")
    expect(member.get_by_test_id("public-unit")).to_have_text("蜀山区个私协会")
    no_sideways_scroll(member)
    shot(member, "complaint-public-form")
    member.locator('[name="kind"]').select_option("complaint")
    member.locator('[name="subject"]').fill("市场摊位费上涨过快")
    member.locator('[name="content"]').fill("城西市场今年摊位费比去年涨了一倍，没有任何公示。")
    member.locator('[name="submitter_name"]').fill("王先生")
    member.locator('[name="submitter_contact"]').fill("13955551234")
    expect(member.locator(f'[name="{antiabuse.HONEYPOT_FIELD}"]')).not_to_be_in_viewport()
    member.wait_for_timeout(antiabuse.FORM_MIN_SECONDS * 1000 + 200)  # as long as a person takes
    member.get_by_test_id("public-submit").click()
    reference = member.get_by_test_id("reference")
    expect(reference).to_have_text(re.compile(r"^\d{8}-[A-Z2-9]{6}$"))
    no_sideways_scroll(member)
    shot(member, "complaint-public-thanks")
    number = reference.inner_text()
    phone.close()
    assert Complaint.objects.get().reference == number

    sign_in(page, live_server.url, "shushan")
    page.locator(f'a[href="/units/{tree.shushan.pk}/complaints/"]').first.click()
    expect(page.get_by_test_id("stat-waiting")).to_have_text("1")
    shot(page, "complaint-list")
    page.get_by_test_id("complaints").get_by_role("link", name="市场摊位费上涨过快").click()
    expect(page.get_by_test_id("complaint-reference")).to_have_text(number)
    expect(page.get_by_test_id("complaint-state")).to_have_attribute("data-state", "received")
    expect(page.get_by_test_id("complaint")).to_contain_text("13955551234")
    page.get_by_test_id("to-in_progress").click()
    expect(page.get_by_test_id("complaint-state")).to_have_attribute("data-state", "in_progress")
    expect(page.get_by_test_id("complaint-responded")).not_to_have_text("—")
    # Resolving without a response is refused next to the field.
    page.get_by_test_id("to-resolved").click()
    expect(page.locator('[data-field="response"]')).to_be_visible()
    page.locator('[name="response"]').fill("已约谈市场管理方，超收部分已退还。")
    page.get_by_test_id("to-resolved").click()
    expect(page.get_by_test_id("complaint-state")).to_have_attribute("data-state", "resolved")
    expect(page.get_by_test_id("complaint-response")).to_contain_text("超收部分已退还")
    expect(page.get_by_test_id("transition")).to_have_count(0)
    shot(page, "complaint-resolved")
    complaint = Complaint.objects.get()
    assert complaint.state == "resolved" and complaint.resolved_at is not None
