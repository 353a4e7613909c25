"""Importing rubrics (评分细则) from messy Excel sheets, through `import_rubric`."""

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command

from jiceng.assessments.models import Rubric, RubricItem
from jiceng.assessments.rules import RuleKind
from jiceng.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _sheet(path: Path, rows: list[list[Any]], merges: tuple[str, ...] = ()) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    book.save(path)
    return path


def _run(path: Path, name: str = "九要评分细则") -> tuple[int, dict[str, Any]]:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_rubric", str(path), "--name", name, "--json", stdout=out)
    return int(exit_.value.code or 0), json.loads(out.getvalue())


def code_column_sheet(path: Path) -> Path:
    """A title merged over the header, varying header words, 10分, a blank row, subtotal and
    total rows, a rule column, a bonus criterion outside the total."""
    return _sheet(
        path,
        [
            ["基层协会建设评分细则（试行）", None, None, None, None],
            ["序号", "考核内容", "评分标准", "分值", "评分方式"],
            ["1", "组织机构要完善", "", "10分", ""],
            ["1.1", "机构设置", "有批准文件得4分", 4, "是否"],
            ["1.2", "分会建设", "缺一项扣2分，扣完为止", "6分", "扣分"],
            [None, None, None, None, None],
            ["2", "经费来源要保障", "", 10, None],
            ["2.1", "会费收缴", "收缴率≥90%得10分，≥70%得6分", 10, "分档"],
            ["小计", "", "", 20, ""],
            ["3", "加分项", "每获一项市级以上表彰加1分，最多3分", 3, "加分"],
            ["合计", "", "", "20分", ""],
        ],
        merges=("A1:E1",),
    )


def test_a_code_column_sheet_imports(tmp_path: Path):
    code, result = _run(code_column_sheet(tmp_path / "细则.xlsx"))
    assert (code, result) == (0, {"criteria": 3, "indicators": 4, "points": 20, "errors": []})
    rubric = Rubric.objects.get()
    assert (rubric.name, rubric.version, rubric.points) == ("九要评分细则", 1, Decimal(20))
    items = {i.code: i for i in RubricItem.objects.filter(rubric=rubric)}
    assert list(items) == ["1", "1.1", "1.2", "2", "2.1", "3"]
    assert items["1.1"].parent == items["1"] and items["1"].rule == ""
    deduct = items["1.2"].as_rule()
    assert deduct.kind == RuleKind.DEDUCT
    assert (deduct.per_item, deduct.score(2)) == (Decimal(2), Decimal(2))
    tiers = items["2.1"].as_rule()
    assert tiers.kind == RuleKind.TIERS and tiers.score(Decimal("87.5")) == 6
    assert items["3"].rule == RuleKind.BONUS and items["3"].as_rule().score(9) == 3
    assert AuditEntry.objects.filter(action="assessments.rubric.import").count() == 1
    # The same name again: the next version, the first kept.
    assert _run(code_column_sheet(tmp_path / "again.xlsx"))[0] == 0
    assert list(Rubric.objects.values_list("version", flat=True)) == [2, 1]
    assert Rubric.objects.get(version=2).previous == rubric


def test_a_sheet_with_a_column_per_level_and_merged_cells_is_numbered_by_position(
    tmp_path: Path,
):
    path = _sheet(
        tmp_path / "levels.xlsx",
        [
            ["评估指标体系", None, None, None],
            [None, None, None, None],
            ["一级指标", "二级指标", "评分细则", "标准分"],
            ["组织机构要完善（10分）", "机构设置", "有批准文件", 4],
            [None, "分会建设", "每个分会得1分", 3],
            [None, "会员小组", "有会员小组", "3分"],
            ["班子配备要得力（10分）", "领导班子", "班子健全", 6],
            [None, "秘书长", "专职秘书长", 4],
            ["总分", None, None, 20],
        ],
        merges=("A1:D1", "A4:A6", "A7:A8"),
    )
    code, result = _run(path)
    assert (code, result) == (0, {"criteria": 2, "indicators": 5, "points": 20, "errors": []})
    items = list(RubricItem.objects.order_by("order").values_list("code", "name", "points"))
    assert items == [
        ("1", "组织机构要完善", Decimal(10)),
        ("1.1", "机构设置", Decimal(4)),
        ("1.2", "分会建设", Decimal(3)),
        ("1.3", "会员小组", Decimal(3)),
        ("2", "班子配备要得力", Decimal(10)),
        ("2.1", "领导班子", Decimal(6)),
        ("2.2", "秘书长", Decimal(4)),
    ]
    assert set(RubricItem.objects.exclude(rule="").values_list("rule", flat=True)) == {
        RuleKind.MANUAL
    }


def test_every_problem_is_reported_by_its_row_and_nothing_is_saved(tmp_path: Path):
    path = _sheet(
        tmp_path / "bad.xlsx",
        [
            ["编号", "指标名称", "评分依据", "分数"],
            ["1", "组织机构要完善", "", 10],  # row 2: 4 + 5 ≠ 10
            ["1.1", "机构设置", "", 4],
            ["1.2", "分会建设", "", 5],
            ["1.2", "会员小组", "", 1],  # row 5: the code again
            ["1.a", "场所", "", 2],  # row 6: not a code
            ["2", "经费来源要保障", "", "十分"],  # row 7: not a number
            ["3.1", "规章制度", "", 2],  # row 8: no item 3
            ["4", "阵地建设", "", None],  # row 9: an indicator without points
            ["5", "服务", "", 5, "神秘"],  # the rule column is not in the header: ignored
        ],
    )
    code, result = _run(path)
    assert code == 1
    rows = [(e["row"], e["message"]) for e in result["errors"]]
    assert [r for r, _m in rows] == [2, 5, 6, 7, 8, 9]
    assert "10" in rows[0][1] and "9" in rows[0][1]
    assert "1.2" in rows[1][1] and "1.a" in rows[2][1] and "十分" in rows[3][1]
    assert "3" in rows[4][1]
    assert not Rubric.objects.exists() and not RubricItem.objects.exists()


def test_an_unknown_rule_and_a_deduction_without_its_figure_are_refused(tmp_path: Path):
    path = _sheet(
        tmp_path / "rules.xlsx",
        [
            ["序号", "指标名称", "评分标准", "分值", "rule"],
            ["1", "会员心情要舒畅", "", 10, ""],
            ["1.1", "满意度", "", 5, "神秘方式"],
            ["1.2", "投诉办结", "按情况扣分", 5, "扣分"],
        ],
    )
    code, result = _run(path)
    assert code == 1
    assert [e["row"] for e in result["errors"]] == [3, 4]


def test_unusable_input_exits_2(tmp_path: Path):
    text = tmp_path / "notes.xlsx"
    text.write_text("这不是表格", encoding="utf-8")
    assert _run(text)[0] == 2
    no_header = _sheet(tmp_path / "empty.xlsx", [["说明"], ["无表头"]])
    code, result = _run(no_header)
    assert code == 2 and "header" in result["unusable"].lower()
    assert _run(tmp_path / "missing.xlsx")[0] == 2
    assert not Rubric.objects.exists()


def test_an_exported_rubric_imports_unchanged(tmp_path: Path):
    from jiceng.assessments.default_rubric import ensure_default_rubric
    from jiceng.assessments.exports import rubric_export
    from jiceng.core.exports import write_xlsx

    default = ensure_default_rubric()
    path = tmp_path / "default.xlsx"
    write_xlsx(rubric_export(default), str(path))
    code, result = _run(path, name="九要（导出再导入）")
    assert code == 0, result
    assert result == {"criteria": 11, "indicators": 21, "points": 100, "errors": []}
    copy = Rubric.objects.get(name="九要（导出再导入）")
    fields = (
        *("code", "depth", "name", "basis", "points"),
        *("rule", "per_item", "floor", "cap", "source"),
    )

    def shape(rubric: Rubric) -> list[tuple[Any, ...]]:
        return [
            (*(getattr(i, f) for f in fields), i.as_rule() if i.rule else None)
            for i in rubric.items.order_by("order")
        ]

    assert shape(copy) == shape(default)
    assert copy.points == default.points
