"""The roster import page at desktop (1280 px) and phone (390 px) width: each mode radio sits on
one line with its label, the group overlaps neither the submit button nor the recent-imports
list, and a click on a label selects its radio (issue 9, item 22)."""

from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from conftest import People, Tree
from jiceng.members.models import ImportMode, ImportState, MemberImport

from .conftest import shot, sign_in

pytestmark = pytest.mark.browser

WIDTHS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def _box(locator: Locator) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None, locator
    return {k: float(box[k]) for k in ("x", "y", "width", "height")}


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def _lines(label: Locator) -> float:
    """How many lines the label's text takes."""
    return float(
        label.evaluate(
            "l => { const s = getComputedStyle(l); const lh = parseFloat(s.lineHeight) ||"
            " 1.2 * parseFloat(s.fontSize); return l.getBoundingClientRect().height / lh; }"
        )
    )


@pytest.mark.parametrize("width", list(WIDTHS))
def test_mode_radios_sit_on_one_line_and_overlap_nothing(
    browser: Browser, live_server: Any, tree: Tree, people: People, width: str
):
    for i in range(3):
        MemberImport.objects.create(
            unit=tree.shushan,
            original_name=f"蜀山区会员花名册{i}.xlsx",
            state=ImportState.DONE,
            created_by=people.shushan_secretary,
        )
    context = browser.new_context(locale="zh-CN", **WIDTHS[width])
    page: Page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server.url, "shushan", on_phone=width == "phone")
        page.goto(f"{live_server.url}/units/{tree.shushan.pk}/members/import/")
        group = page.get_by_test_id("import-mode")
        expect(group).to_be_visible()
        shot(page, f"import-page-{width}")

        radios = group.locator('input[type="radio"]')
        assert radios.count() == len(ImportMode.choices)
        for i in range(radios.count()):
            radio = radios.nth(i)
            radio_id = radio.get_attribute("id")
            assert radio_id, "each radio has an id for its label"
            label = group.locator(f'label[for="{radio_id}"]')
            assert label.count() == 1, f"no label names radio {radio_id}"
            assert len(label.inner_text().strip()) > 4
            assert _lines(label) < 1.5, f"label of {radio_id} wraps: {label.inner_text()!r}"
            r, lab = _box(radio), _box(label)
            assert r["width"] < 40, "the radio is a radio, not a wrapper"
            assert lab["x"] >= r["x"] + r["width"] - 1, "the label follows its radio"
            middle = r["y"] + r["height"] / 2
            assert lab["y"] <= middle <= lab["y"] + lab["height"], "radio and label on one line"
            assert lab["width"] > 100, "the label is not squeezed to a column"

        whole = _box(group)
        assert not _overlap(whole, _box(page.get_by_test_id("upload")))
        recent = page.locator(".list-group").filter(has_text="蜀山区会员花名册0.xlsx")
        expect(recent).to_be_visible()
        assert not _overlap(whole, _box(recent))

        # A click on a label selects its radio.
        for value in (ImportMode.ALL_OR_NOTHING, ImportMode.VALID_ONLY):
            radio = group.locator(f'input[type="radio"][value="{value}"]')
            group.locator(f'label[for="{radio.get_attribute("id")}"]').click()
            expect(radio).to_be_checked()
    finally:
        context.close()
