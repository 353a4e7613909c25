"""The campaign progress page in Chromium: the city admin sees the per-child bars and the phase
timeline drawn by ECharts (served by the app) without a single CSP violation; a task done by a
child changes the rates after a reload and the bars are drawn again with the new figures; at
desktop and phone width."""

import datetime
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from conftest import People, Tree
from jiceng.campaigns import completion
from jiceng.campaigns.demo import seed_campaigns
from jiceng.campaigns.models import Campaign, Task
from jiceng.core.actor import Actor

from .conftest import no_sideways_scroll, shot, sign_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/progress")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

#: Collects CSP violations the page reports (an init script runs before the page's own).
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || ""));
});
"""


def _shot(page: Page, name: str) -> None:
    shot(page, f"campaign-progress-{name}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _watch(page: Page) -> list[str]:
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        url = message.location.get("url", "")
        if url.endswith("/favicon.ico"):
            return  # the site has no icon; nothing to do with charts
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(f"{message.text} {url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.add_init_script(WATCH_CSP)
    return problems


def _series(page: Page, testid: str) -> list[Any]:
    """The series the chart in `testid` draws, read back from its ECharts instance."""
    return list(
        page.evaluate(
            """(testid) => {
              const el = document.querySelector(`[data-testid="${testid}"]`);
              const chart = window.echarts.getInstanceByDom(el);
              return chart ? chart.getOption().series.map((s) => [s.name, s.data]) : null;
            }""",
            testid,
        )
        or []
    )


def _drawn(page: Page, testid: str) -> None:
    chart = page.get_by_test_id(testid)
    expect(chart).to_have_attribute("data-chart-ready", "1")
    expect(chart.locator("canvas").first).to_be_attached()
    box = chart.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100, box


def _part_done(current: Campaign, tree: Tree, people: People) -> None:
    """包河区 did two form tasks (one on time, one late) and 蜀山区 one on time."""
    tasks = {
        t.title: t for t in Task.objects.filter(phase__campaign=current, parent_task__isnull=True)
    }
    for unit, user, title, days_late in (
        (tree.baohe, people.baohe_secretary, "会员公认度和满意度测评", 0),
        (tree.baohe, people.baohe_secretary, "按《规范》抓好落实", 3),
        (tree.shushan, people.shushan_secretary, "会员公认度和满意度测评", -2),
    ):
        task = tasks[title]
        day = task.deadline + datetime.timedelta(days=days_late)
        completion.task_complete(
            actor=Actor(user=user),
            task=task,
            unit=unit,
            evidence={"note": "已完成"},
            done_at=datetime.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI),
        )


def _shushan_rate(page: Page) -> str:
    line = page.get_by_test_id("child-line").filter(has_text="蜀山区")
    return line.get_by_test_id("reporting-rate").inner_text()


def test_the_city_sees_the_charts_and_they_follow_a_completion(
    browser: Browser, page: Page, live_server: Any, tree: Tree, people: People
) -> None:
    _seed, current = seed_campaigns(tree.root)
    _part_done(current, tree, people)
    task = Task.objects.get(
        phase__campaign=current, title="按《规范》抓好落实", parent_task__isnull=True
    )
    url = live_server.url + reverse(
        "campaigns:progress", kwargs={"pk": tree.hefei.pk, "campaign_pk": current.pk}
    )
    problems = _watch(page)

    sign_in(page, live_server.url, "hefei")
    # From the campaign tab to its progress page.
    page.goto(live_server.url + reverse("campaigns:unit_campaign", kwargs={"pk": tree.hefei.pk}))
    page.get_by_test_id("progress-link").click()
    page.wait_for_url(url)
    expect(page.get_by_test_id("progress-children")).to_be_visible()
    _drawn(page, "chart-children")
    _drawn(page, "chart-phases")
    bars = dict(_series(page, "chart-children"))
    assert set(bars) == {"上报率", "按时完成率"}
    before_rate = _shushan_rate(page)
    before_bars = bars["上报率"]
    phases = [name for name, _data in _series(page, "chart-phases")]
    assert phases[:2] == ["阶段", "截止日期"]
    _shot(page, "city-desktop")

    # 蜀山区 does 按《规范》抓好落实 (through the service); after a reload the rate and the bar
    # move.
    completion.task_complete(
        actor=Actor(user=people.shushan_secretary),
        task=task,
        unit=tree.shushan,
        evidence={"note": "已完成"},
    )
    page.reload()
    _drawn(page, "chart-children")
    assert _shushan_rate(page) != before_rate
    after_bars = dict(_series(page, "chart-children"))["上报率"]
    assert after_bars != before_bars
    assert after_bars[0] > before_bars[0]  # 蜀山区 is the first child (code order)

    # Drill down: a click on 蜀山区's name in the table opens its own progress page.
    page.get_by_test_id("child-line").filter(has_text="蜀山区").get_by_test_id("drill-down").click()
    expect(page.get_by_test_id("breadcrumbs")).to_contain_text("合肥")
    _drawn(page, "chart-phases")
    expect(page.get_by_test_id("overdue")).to_be_visible()
    _shot(page, "shushan-desktop")

    csp = page.evaluate("window.__csp")
    assert csp == [] and problems == [], (csp, problems)


def test_the_progress_page_at_phone_width(
    browser: Browser, live_server: Any, tree: Tree, people: People
) -> None:
    _seed, current = seed_campaigns(tree.root)
    _part_done(current, tree, people)
    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    page.set_default_timeout(15_000)
    problems = _watch(page)
    try:
        sign_in(page, live_server.url, "hefei", on_phone=True)
        page.goto(
            live_server.url
            + reverse("campaigns:progress", kwargs={"pk": tree.hefei.pk, "campaign_pk": current.pk})
        )
        expect(page.get_by_test_id("progress-children")).to_be_visible()
        _drawn(page, "chart-children")
        _drawn(page, "chart-phases")
        no_sideways_scroll(page)
        # Tables are stacked cards: the header row is hidden.
        expect(page.get_by_test_id("progress-children").locator("thead")).to_be_hidden()
        _shot(page, "city-phone")
        # Content htmx brings in is drawn too (charts.js listens to htmx:load).
        page.evaluate(
            """() => {
              const box = document.createElement("div");
              document.querySelector("main").appendChild(box);
              window.htmx.swap(
                box,
                '<div class="chart" data-chart="chart-phases-data" data-testid="chart-swapped">'
                  + "</div>",
                { swapStyle: "innerHTML" },
              );
            }"""
        )
        _drawn(page, "chart-swapped")
        # …and a chart htmx takes away is disposed of.
        kept = page.evaluate(
            """() => {
              const el = document.querySelector('[data-testid="chart-swapped"]');
              window.htmx.swap(el.parentElement, "", { swapStyle: "innerHTML" });
              return Boolean(window.echarts.getInstanceByDom(el));
            }"""
        )
        assert kept is False
        assert page.evaluate("window.__csp") == [] and problems == [], problems
    finally:
        phone.close()
