"""A grassroots secretary imports a messy roster in Chromium: upload, mapping, the check with
its progress bar, the problems and their .xlsx report, the import, the members list."""

import datetime
import re
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from conftest import People, Tree
from jiceng.core.tests.jobs import worker_thread
from jiceng.members.models import Member
from jiceng.members.tests.factories import credit_code
from jiceng.members.tests.rosters import write_xlsx

from .conftest import shot, sign_in

pytestmark = pytest.mark.browser

ROWS = 12_000  # enough that the check and the import take a few polls of the progress bar


def roster(path: Path) -> Path:
    rows: list[list[object]] = [
        [
            i,
            f"蜀山{i}号小吃店",
            "张三",
            credit_code(),
            "",
            13800000000.0 + i,
            datetime.date(2021, 5, 6),
        ]
        for i in range(1, ROWS + 1)
    ]
    # Data starts on the sheet's row 4 (a title, a blank row, the header).
    rows[4][1] = ""  # row 8: no business name
    rows[7][3] = "91350100M000100Y4Z"  # row 11: a wrong check character
    rows[9][5] = "12345"  # row 13: no phone number (a warning)
    rows.append(["合计", "", "", "", "", "", ""])
    return write_xlsx(path, rows)


def test_import_a_roster_with_progress_and_a_report(
    page: Page, live_server, tree: Tree, people: People, tmp_path: Path
):
    path = roster(tmp_path / "蜀山区会员花名册.xlsx")
    with worker_thread():
        sign_in(page, live_server.url, "shushan")
        page.get_by_test_id("unit-tabs").get_by_role("link", name="会员", exact=True).click()
        page.get_by_test_id("import-roster").click()
        page.get_by_label("花名册文件").set_input_files(str(path))
        page.get_by_test_id("upload").click()

        mapping = page.get_by_test_id("mapping")
        expect(mapping).to_be_visible(timeout=30_000)
        expect(page.locator("body")).to_contain_text("表头在第 3 行")
        expect(mapping.get_by_label("B 字号名称")).to_have_value("business_name")
        expect(mapping.get_by_label("F 联系电话")).to_have_value("phone")
        shot(page, "import-mapping")
        page.get_by_test_id("check").click()

        progress = page.get_by_test_id("import-progress")
        expect(progress).to_be_visible()
        expect(progress.locator("progress")).to_be_visible()
        shot(page, "import-progress")

        counts = page.get_by_test_id("import-counts")
        expect(counts).to_be_visible(timeout=60_000)
        expect(page.get_by_test_id("count-created")).to_have_text(
            re.compile(f"^{ROWS - 2:,}$".replace(",", ",?"))
        )
        expect(page.get_by_test_id("count-rejected")).to_have_text("2")
        problems = page.get_by_test_id("problems")
        expect(problems).to_contain_text("字号名称为空")
        expect(problems).to_contain_text("“3”")
        shot(page, "import-preview")

        with page.expect_download() as info:
            page.get_by_test_id("report").click()
        report = tmp_path / "report.xlsx"
        info.value.save_as(report)
        sheet = openpyxl.load_workbook(report).active
        assert sheet is not None
        lines = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
        assert [(line[0], line[1]) for line in lines] == [
            (8, "B 字号名称"),
            (11, "D 统一社会信用代码"),
            (13, "F 联系电话"),
        ]
        assert "3" in lines[1][5] and lines[2][4] == "警告"

        page.get_by_test_id("commit").click()
        expect(page.get_by_test_id("import-done")).to_be_visible(timeout=120_000)
        shot(page, "import-done")
        assert Member.objects.filter(unit=tree.shushan).count() == ROWS - 2

        page.get_by_role("link", name="查看会员").click()
        expect(page.get_by_test_id("member-count")).to_contain_text("超过 10000")  # capped count
        page.get_by_test_id("member-search").fill("蜀山7号小吃店")
        expect(page.get_by_test_id("members")).to_contain_text("蜀山7号小吃店")
        expect(page.get_by_test_id("members")).to_contain_text("138****0007")
        shot(page, "members-list")
