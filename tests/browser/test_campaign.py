"""The campaign tab (建设年) in Chromium: the grassroots secretary completes a form task, and the
city admin's progress table shows 蜀山区's reporting rate change; at desktop and phone width."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from conftest import People, Tree
from jiceng.campaigns import services
from jiceng.campaigns.demo import (
    STANDARD_TASK,
    campaign_name,
    link_standard_notice,
    seed_campaigns,
    standard_notice_day,
)
from jiceng.campaigns.models import (
    Campaign,
    CampaignStatus,
    EvidenceFile,
    Task,
    TaskCompletion,
)
from jiceng.core.actor import Actor
from jiceng.documents.demo import seed_documents

from .conftest import no_sideways_scroll, shot, sign_in

pytestmark = pytest.mark.browser


def _shushan_rate(page: Page) -> str:
    line = page.get_by_test_id("child-line").filter(has_text="蜀山区")
    return line.get_by_test_id("reporting-rate").inner_text()


def test_secretary_completes_a_task_and_the_city_sees_the_rate_change(
    browser: Browser, page: Page, live_server, tree: Tree, people: People
):
    _seed, current = seed_campaigns(tree.root)
    task = Task.objects.get(
        phase__campaign=current, title="会员公认度和满意度测评", parent_task__isnull=True
    )
    base = live_server.url

    # The city sees 蜀山区 at 0%.
    city = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    city_page = city.new_page()
    city_page.set_default_timeout(15_000)
    sign_in(city_page, base, "hefei")
    city_page.goto(f"{base}/units/{tree.hefei.pk}/campaign/")
    expect(city_page.get_by_test_id("campaign-children")).to_be_visible()
    assert _shushan_rate(city_page) == "0.0%"

    # The secretary completes the survey task with a note; a missing note is refused next to
    # the field.
    sign_in(page, base, "shushan")
    page.goto(f"{base}/units/{tree.shushan.pk}/")
    page.locator(f'a[href="/units/{tree.shushan.pk}/campaign/"]').first.click()
    row = page.locator(f'[data-testid="task-row"][data-task="{task.pk}"]')
    row.get_by_test_id("complete").click()
    row = page.locator(f'[data-testid="task-row"][data-task="{task.pk}"]')
    expect(row.locator('[data-field="note"]')).to_contain_text("必填")
    row.get_by_label("备注").fill("已组织会员完成公认度和满意度测评。")
    shot(page, "campaign-secretary-desktop")
    row.get_by_test_id("complete").click()
    expect(page.get_by_role("alert").first).to_contain_text("测评")
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
        no_sideways_scroll(phone_page)
        shot(phone_page, "campaign-city-phone")
        phone_page.goto(f"{base}/units/{tree.shushan.pk}/campaign/")
        no_sideways_scroll(phone_page)
        shot(phone_page, "campaign-shushan-phone")
    finally:
        phone.close()


PHONE: ViewportSize = {"width": 390, "height": 844}


def _phone_page(browser: Browser) -> Page:
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _png(path: Path) -> Path:
    """A small real PNG (the photo check reads the content, not the name)."""
    image = Image.new("RGB", (320, 240), (200, 30, 30))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 280, 200), fill=(255, 220, 0))
    image.save(path, format="PNG")
    return path


def _loaded(image: Locator) -> int:
    """Wait for a (lazily loaded) image to arrive; its natural width."""
    image.scroll_into_view_if_needed()
    expect(image).to_be_visible()
    image.page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    return image.evaluate("img => img.naturalWidth")


def _plan_row(page: Page, task: Task) -> Locator:
    return page.locator(f'[data-testid="plan-task"][data-task="{task.pk}"]')


def test_plan_flow_copy_start_local_plan_and_meeting_with_photo(
    browser: Browser, page: Page, live_server, tree: Tree, people: People, media_in_tmp, tmp_path
):
    """The plan pages end to end, in Chinese: the national admin copies this year's campaign
    into next year with the wizard and starts it; 安徽 adds local tasks and brings a national
    deadline forward (a later one is refused next to the field); 蜀山区 records its meeting
    with a photo, whose thumbnail shows and whose file is served as an image."""
    seed, current = seed_campaigns(tree.root)
    year = current.year + 1
    name = campaign_name(year)
    base = live_server.url

    # 1. The national admin copies this year's campaign into next year from the list's wizard.
    sign_in(page, base, "national")
    page.goto(f"{base}/units/{tree.root.pk}/campaigns/")
    lines = page.get_by_test_id("campaign-line")
    expect(lines).to_have_count(2)
    expect(lines.filter(has_text=seed.name)).to_contain_text("已关闭")
    page.get_by_test_id("wizard-link").click()
    form = page.get_by_test_id("wizard-form")
    expect(form).to_be_visible()
    # Prefilled from the latest campaign: the next year and the name with the year moved.
    expect(form.get_by_label("新活动的年度")).to_have_value(str(year))
    expect(form.get_by_label("名称")).to_have_value(name)
    form.get_by_label("复制自").select_option(label=f"{current.year} · {current.name}")
    shot(page, "campaign-wizard-desktop")
    page.get_by_test_id("wizard-submit").click()

    page.wait_for_url(re.compile(r"/units/\d+/campaigns/\d+/$"))
    copy = Campaign.objects.get(unit=tree.root, year=year, name=name)
    assert page.url == f"{base}/units/{tree.root.pk}/campaigns/{copy.pk}/"
    assert copy.copied_from_id == current.pk
    expect(page.get_by_role("alert").first).to_contain_text(name)
    expect(page.get_by_test_id("plan-name")).to_contain_text(name)
    expect(page.get_by_test_id("plan-status")).to_have_text("草稿")
    # Every deadline moved by one year: the copy's tasks and what the page shows.
    own = {t.title: t for t in Task.objects.filter(phase__campaign=copy, parent_task__isnull=True)}
    before = {
        t.title: t.deadline
        for t in Task.objects.filter(phase__campaign=current, parent_task__isnull=True)
    }
    assert set(own) == set(before)
    for title, task in own.items():
        assert task.deadline == before[title].replace(year=year), title
    expect(page.get_by_test_id("plan-task")).to_have_count(len(own))
    expect(_plan_row(page, own["研究制定实施方案"]).get_by_test_id("plan-deadline")).to_have_text(
        f"{year}-03-31"
    )
    expect(_plan_row(page, own["表彰、推荐"]).get_by_test_id("plan-deadline")).to_have_text(
        f"{year}-11-30"
    )
    expect(page.get_by_test_id("plan-phase").first).to_contain_text(f"{year}-03-01 – {year}-03-31")
    shot(page, "campaign-plan-draft-desktop")
    page.once("dialog", lambda dialog: dialog.accept())  # should starting ask first
    page.get_by_test_id("start").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("进行中")
    expect(page.get_by_role("alert").first).to_contain_text("进行中")
    expect(page.get_by_test_id("start")).to_have_count(0)
    expect(page.get_by_test_id("close")).to_be_visible()
    copy.refresh_from_db()
    assert copy.status == CampaignStatus.RUNNING

    # 2. 安徽 writes its local plan: a task for the cities, a meeting for the associations,
    # and 自查 brought forward; a later date than the national one is refused.
    anhui = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    anhui_page = anhui.new_page()
    anhui_page.set_default_timeout(15_000)
    sign_in(anhui_page, base, "anhui")
    anhui_page.goto(f"{base}/units/{tree.anhui.pk}/campaigns/")
    anhui_page.get_by_test_id("campaign-line").get_by_role("link", name=name).click()
    plan_url = f"{base}/units/{tree.anhui.pk}/campaigns/{copy.pk}/"
    anhui_page.wait_for_url(plan_url)
    expect(anhui_page.get_by_test_id("start")).to_have_count(0)  # only the scope unit starts it

    def add_task(level: str, phase: str, title: str, deadline: str, completion: str) -> None:
        task_form = anhui_page.get_by_test_id("task-form")
        task_form.get_by_label("阶段").select_option(label=phase)
        task_form.get_by_label("层级").select_option(label=level)
        task_form.get_by_label("任务名称").fill(title)
        task_form.get_by_label("截止日期").fill(deadline)
        task_form.get_by_label("完成方式").select_option(label=completion)
        anhui_page.get_by_test_id("add-task-submit").click()
        expect(anhui_page.get_by_role("alert").first).to_contain_text(title)
        anhui_page.wait_for_url(plan_url)

    add_task("市级", "深入实施", "召开全市推进会", f"{year}-06-30", "会议记录")
    add_task("基层协会", "深入实施", "召开会员代表座谈会", f"{year}-09-30", "会议记录")
    city_task = Task.objects.get(phase__campaign=copy, title="召开全市推进会")
    meeting = Task.objects.get(phase__campaign=copy, title="召开会员代表座谈会")
    assert (city_task.owner_unit_id, city_task.level) == (tree.anhui.pk, "city")
    assert (meeting.owner_unit_id, meeting.level) == (tree.anhui.pk, "grassroots")
    assert city_task.deadline == datetime.date(year, 6, 30)
    for task in (city_task, meeting):
        expect(_plan_row(anhui_page, task)).to_contain_text("本单位")

    check = own["自查"]
    row = _plan_row(anhui_page, check)
    row.get_by_label("截止日期").fill(f"{year}-06-15")
    row.get_by_test_id("save-deadline").click()
    row = _plan_row(anhui_page, check)
    error = row.locator('[data-field="deadline"]')
    expect(error).to_contain_text(f"{year}-05-31")
    expect(row.get_by_label("截止日期")).to_have_attribute("aria-invalid", "true")
    expect(row.get_by_test_id("local-deadline")).to_have_count(0)
    assert not Task.objects.filter(parent_task=check).exists()
    shot(anhui_page, "campaign-plan-anhui-refused-desktop")

    row.get_by_label("截止日期").fill(f"{year}-05-15")
    row.get_by_test_id("save-deadline").click()
    anhui_page.wait_for_url(plan_url)
    expect(anhui_page.get_by_role("alert").first).to_contain_text("自查")
    row = _plan_row(anhui_page, check)
    expect(row.get_by_test_id("local-deadline")).to_have_text(f"{year}-05-15")
    expect(row.get_by_test_id("plan-deadline").locator("s")).to_have_text(f"{year}-05-31")
    local = Task.objects.get(parent_task=check)
    assert (local.owner_unit_id, local.deadline) == (tree.anhui.pk, datetime.date(year, 5, 15))
    shot(anhui_page, "campaign-plan-anhui-desktop")
    anhui.close()

    # The plans at phone width: stacked cards, nothing wider than the phone (安徽's local
    # deadline too: test_a_local_deadline_fits_the_phone).
    phone_page = _phone_page(browser)
    try:
        sign_in(phone_page, base, "national", on_phone=True)
        phone_page.goto(f"{base}/units/{tree.root.pk}/campaigns/{copy.pk}/")
        expect(phone_page.get_by_test_id("close")).to_be_visible()
        no_sideways_scroll(phone_page)
        shot(phone_page, "campaign-plan-national-phone")
        phone_page.context.clear_cookies()
        sign_in(phone_page, base, "anhui", on_phone=True)
        phone_page.goto(plan_url)
        expect(phone_page.get_by_test_id("task-form")).to_be_attached()
        no_sideways_scroll(phone_page)
        shot(phone_page, "campaign-plan-anhui-phone")
    finally:
        phone_page.context.close()

    # 3. 蜀山区's secretary holds the meeting and records it with a photo.
    page.context.clear_cookies()
    sign_in(page, base, "shushan")
    page.goto(f"{base}/units/{tree.shushan.pk}/campaign/")
    expect(page.get_by_test_id("campaign-name")).to_contain_text(name)
    # 自查's deadline is the one 安徽 brought forward.
    expect(
        page.locator(f'[data-testid="task-row"][data-task="{check.pk}"]').get_by_text(
            f"{year}-05-15"
        )
    ).to_be_visible()
    row = page.locator(f'[data-testid="task-row"][data-task="{meeting.pk}"]')
    expect(row).to_have_attribute("data-state", "not_done")
    today = timezone.localdate().isoformat()
    row.get_by_label("会议日期").fill(today)
    row.get_by_label("会议地点").fill("蜀山区个私协会会议室")
    row.get_by_label("参会人数").fill("36")
    row.locator('input[type="file"][name$="-attachments"]').set_input_files(
        str(_png(tmp_path / "meeting.png"))
    )
    row.get_by_test_id("complete").click()
    expect(page.get_by_role("alert").first).to_contain_text("召开会员代表座谈会")
    row = page.locator(f'[data-testid="task-row"][data-task="{meeting.pk}"]')
    expect(row).to_have_attribute("data-state", "on_time")
    expect(row.get_by_test_id("task-state")).to_contain_text("蜀山区个私协会会议室")
    thumb = row.get_by_test_id("evidence-files").locator("img")
    expect(thumb).to_have_count(1)
    assert _loaded(thumb) == 320
    shot(page, "campaign-meeting-done-desktop")
    src = thumb.get_attribute("src")
    assert src and src.startswith(f"/units/{tree.shushan.pk}/campaign/files/")
    response = page.request.get(f"{base}{src}")
    assert response.status == 200
    assert response.headers["content-type"].startswith("image/png")
    done = TaskCompletion.objects.get(task=meeting, unit=tree.shushan)
    assert done.evidence["fields"] == {
        "date": today,
        "place": "蜀山区个私协会会议室",
        "attendance": 36,
    }
    stored = EvidenceFile.objects.get(completion=done)
    assert Path(stored.file.path).is_relative_to(media_in_tmp)

    # The tab with the photo at phone width.
    phone_page = _phone_page(browser)
    try:
        sign_in(phone_page, base, "shushan", on_phone=True)
        phone_page.goto(f"{base}/units/{tree.shushan.pk}/campaign/")
        row = phone_page.locator(f'[data-testid="task-row"][data-task="{meeting.pk}"]')
        assert _loaded(row.get_by_test_id("evidence-files").locator("img")) == 320
        no_sideways_scroll(phone_page)
        shot(phone_page, "campaign-meeting-done-phone")
    finally:
        phone_page.context.close()


def test_a_local_deadline_fits_the_phone(browser: Browser, live_server, tree: Tree, people: People):
    _seed, current = seed_campaigns(tree.root)
    check = Task.objects.get(phase__campaign=current, title="自查", parent_task__isnull=True)
    services.task_override_deadline(
        actor=Actor.system(),
        task=check,
        unit=tree.anhui,
        deadline=check.deadline - datetime.timedelta(days=10),
    )
    page = _phone_page(browser)
    try:
        sign_in(page, live_server.url, "anhui", on_phone=True)
        page.goto(f"{live_server.url}/units/{tree.anhui.pk}/campaigns/{current.pk}/")
        expect(page.get_by_test_id("local-deadline")).to_have_count(1)
        no_sideways_scroll(page)
    finally:
        page.context.close()


def test_acknowledging_the_standard_completes_the_campaign_task(
    page: Page, live_server, tree: Tree, people: People, media_in_tmp
):
    """The secretary follows the tab's link for 签收《规范》 to the notice 蜀山区 received (a
    forward of the national one), acknowledges it, and the task is done on the tab; the city's
    progress counts it."""
    _seed, current = seed_campaigns(tree.root)
    notice = seed_documents(tree.root, today=standard_notice_day(current))
    link_standard_notice(current, notice)
    task = Task.objects.get(phase__campaign=current, title=STANDARD_TASK, parent_task=None)
    base = live_server.url

    sign_in(page, base, "shushan")
    page.goto(f"{base}/units/{tree.shushan.pk}/campaign/")
    row = page.locator(f'[data-testid="task-row"][data-task="{task.pk}"]')
    expect(row).to_have_attribute("data-state", "overdue")
    row.get_by_test_id("acknowledge-link").click()
    expect(page.get_by_test_id("document-title")).to_contain_text("工作规范")
    page.get_by_test_id("acknowledge").click()
    expect(page.get_by_test_id("acknowledged-at")).to_be_visible()

    page.goto(f"{base}/units/{tree.shushan.pk}/campaign/")
    row = page.locator(f'[data-testid="task-row"][data-task="{task.pk}"]')
    # Acknowledged today, after the deadline: done late, by the system on the unit's behalf.
    expect(row).to_have_attribute("data-state", "late")
    expect(row.get_by_test_id("acknowledge-link")).to_have_count(0)
    shot(page, "campaign-standard-acknowledged-desktop")

    page.context.clear_cookies()
    sign_in(page, base, "hefei")
    page.goto(f"{base}/units/{tree.hefei.pk}/campaign/")
    line = page.get_by_test_id("task-line").filter(has_text=STANDARD_TASK)
    expect(line.get_by_test_id("reporting-rate")).not_to_have_text("0.0%")
