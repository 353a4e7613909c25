"""Reading a rubric (评分细则) from a spreadsheet, as real ones live in Excel.

Two shapes are understood:

- **a code column** (编号 / 序号 / 代码): a row per criterion and per indicator, coded `1`,
  `1.1`, `1.1.1`, `1.1.1.1`;
- **a column per level** (一级指标 / 二级指标 / 三级指标 / 四级指标), with merged cells for a
  criterion spanning its indicators' rows and no codes: items are numbered by position.

Around them, what real sheets hold: a merged title row above the header, header words that
vary (指标名称 / 考核内容 / 评估指标, 评分依据 / 评分标准 / 评分细则, 分值 / 标准分 / 分数),
points written `10` or `10分` (or in the name: 组织机构要完善（10分）), subtotal and total rows
(小计 / 合计 / 总分), blank rows, and optionally a rule column (评分方式 or `rule`) naming each
indicator's rule kind (`rules.RuleKind`); without one an indicator is scored by hand.

`read_rubric(path)` returns what it found and every problem with the sheet's own row number;
nothing is saved here (`services.rubric_import` saves a sheet without problems).
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from jiceng.members.imports.errors import UnusableInput
from jiceng.members.imports.readers import open_roster

from .rules import ZERO, Rule, RuleError, RuleKind

#: The deepest code: 1.1.1.1.
MAX_DEPTH = 4
CODE = re.compile(r"^[1-9]\d*(\.[1-9]\d*){0,3}$")
#: Points in a name: 组织机构要完善（10分）.
POINTS_IN_NAME = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]\s*$")
POINTS = re.compile(r"^(\d+(?:\.\d+)?)\s*分?$")
TOTAL_WORDS = ("小计", "合计", "总分", "总计")
HEADER_SEARCH_ROWS = 15

COLUMN_WORDS: dict[str, tuple[str, ...]] = {
    "code": ("编号", "序号", "代码", "code"),
    "level1": ("一级指标",),
    "level2": ("二级指标",),
    "level3": ("三级指标",),
    "level4": ("四级指标",),
    "name": ("指标名称", "考核内容", "评估指标", "考核项目", "评价指标", "指标", "项目", "name"),
    "basis": ("评分依据", "评分标准", "评分细则", "考核标准", "评估标准", "basis"),
    "points": ("分值", "标准分", "分数", "points"),
    "rule": ("评分方式", "计分方式", "rule"),
    # The parts of a rule, as `exports.rubric_export` writes them (optional).
    "per_item": ("每项分值", "per_item"),
    "floor": ("最低分", "floor"),
    "cap": ("上限", "cap"),
    "tiers": ("分档标准", "tiers"),
    "source": ("数据来源", "source"),
}
LEVELS = ("level1", "level2", "level3", "level4")
RULE_PARTS = ("per_item", "floor", "cap", "tiers", "source")

#: Words in a rule cell → rule kind (the kinds' own codes are understood too).
RULE_WORDS: tuple[tuple[str, str], ...] = (
    ("一票否决", RuleKind.VETO),
    ("否决", RuleKind.VETO),
    ("加分", RuleKind.BONUS),
    ("扣分", RuleKind.DEDUCT),
    ("分档", RuleKind.TIERS),
    ("档次", RuleKind.TIERS),
    ("累加", RuleKind.INCREMENT),
    ("累计", RuleKind.INCREMENT),
    ("是否", RuleKind.YES_NO),
    ("有无", RuleKind.YES_NO),
    ("人工", RuleKind.MANUAL),
    ("评议", RuleKind.MANUAL),
    ("自动", RuleKind.COMPUTED),
    ("计算", RuleKind.COMPUTED),
)
#: The word `exports.rubric_export` writes for each kind (read back by `RULE_WORDS`).
RULE_WORD: dict[str, str] = {
    RuleKind.YES_NO: "是否",
    RuleKind.DEDUCT: "扣分",
    RuleKind.TIERS: "分档",
    RuleKind.INCREMENT: "累加",
    RuleKind.BONUS: "加分",
    RuleKind.MANUAL: "人工",
    RuleKind.VETO: "一票否决",
    RuleKind.COMPUTED: "自动计算",
}
PER_ITEM = re.compile(r"(?:扣|加|得|计)\s*(\d+(?:\.\d+)?)\s*分")
#: A tier in a basis text: "≥90%得10分", "90%以上10分".
TIER = re.compile(
    r"(\d+(?:\.\d+)?)\s*%?\s*(?:以上|及以上)?\D{0,6}?(?:得|计)?\s*(\d+(?:\.\d+)?)\s*分"
)


class UnusableRubric(Exception):
    """The whole file is refused (not a spreadsheet, unsafe, no header row): a translated
    message."""


@dataclass
class RowProblem:
    row: int
    message: str


@dataclass
class Item:
    """A criterion or indicator as the sheet gives it."""

    row: int
    code: str
    name: str
    basis: str = ""
    points: Decimal | None = None
    rule: Rule | None = None
    children: list["Item"] = field(default_factory=list)
    #: The rule's parts where the sheet has columns for them (`RULE_PARTS`).
    parts: dict[str, Any] = field(default_factory=dict)

    @property
    def depth(self) -> int:
        return self.code.count(".") + 1

    @property
    def parent_code(self) -> str | None:
        return self.code.rsplit(".", 1)[0] if "." in self.code else None

    @property
    def is_indicator(self) -> bool:
        """A scorable leaf."""
        return not self.children

    @property
    def in_total(self) -> bool:
        return self.rule is None or self.rule.in_total


@dataclass
class ReadRubric:
    """What a sheet holds: its items in sheet order (criteria and indicators) and its
    problems by row."""

    items: list[Item]
    errors: list[RowProblem]

    @property
    def criteria(self) -> list[Item]:
        return [i for i in self.items if i.depth == 1]

    @property
    def indicators(self) -> list[Item]:
        return [i for i in self.items if i.is_indicator]

    @property
    def points(self) -> Decimal:
        """The rubric's total without bonus items: its criteria's points (or, for a criterion
        without, its indicators')."""
        return sum((_points_of(i) for i in self.criteria if i.in_total), ZERO)

    def summary(self) -> dict[str, Any]:
        return {
            "criteria": len(self.criteria),
            "indicators": len(self.indicators),
            "points": _plain(self.points),
            "errors": [{"row": e.row, "message": e.message} for e in self.errors],
        }


def _points_of(item: Item) -> Decimal:
    if item.points is not None:
        return item.points
    return sum((_points_of(c) for c in item.children if c.in_total), ZERO)


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _clean(value: Any) -> str:
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return re.sub(r"\s+", "", text)


def _text(value: Any) -> str:
    """A cell as text, as written (full-width punctuation kept)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _code(value: Any) -> str:
    """A code cell: full-width digits and dots read as ASCII, spaces dropped."""
    return _clean(_text(value))


def _column_of(header: str) -> str | None:
    text = _clean(header).lower()
    if not text:
        return None
    for column, words in COLUMN_WORDS.items():
        if any(text == w.lower() for w in words):
            return column
    for column, words in COLUMN_WORDS.items():
        if any(len(w) >= 2 and w.lower() in text for w in words):
            return column
    return None


def _header(rows: Sequence[list[Any]]) -> tuple[int, dict[str, int]] | None:
    """(row index, column → index) of the first row that names a name or level column and a
    points or basis column."""
    for index, values in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for position, value in enumerate(values):
            column = _column_of(value)
            if column and column not in columns:
                columns[column] = position
        named = "name" in columns or "level1" in columns
        if named and ("points" in columns or "basis" in columns):
            return index, columns
    return None


def _grid(path: Path, name: str) -> list[list[Any]]:
    """The first sheet's cells from A1, merged cells filled with their first cell's value."""
    try:
        roster = open_roster(path, name=name)
    except UnusableInput as exc:
        raise UnusableRubric(exc.message) from None
    if roster.format == "csv":
        raise UnusableRubric(_("A rubric is read from an Excel workbook (.xlsx or .xls)."))
    sheet = roster.sheets[0]
    offset = roster.column_offset(sheet)
    rows = [[None] * offset + list(values) for _number, values in roster.rows(sheet)]
    width = max((len(r) for r in rows), default=0)
    rows = [r + [None] * (width - len(r)) for r in rows]
    for (r0, c0), (r1, c1) in roster.merged_ranges(sheet):
        if r0 >= len(rows) or c0 >= width:
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, min(c1, width - 1) + 1):
                rows[r][c] = value
    return rows


def _parse_points(value: Any) -> Decimal | None:
    """`10`, `10.5`, `10分`; None for a blank; InvalidOperation for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    match = POINTS.match(_clean(value))
    if not match:
        raise InvalidOperation
    return Decimal(match.group(1))


def _rule(kind: str, points: Decimal, basis: str, row: int, errors: list[RowProblem]) -> Rule:
    """The rule of an indicator: its kind, with the figures its basis text gives (扣2分 → 2
    a missing item; ≥90%得10分 → a tier)."""
    rule = Rule(kind=kind, points=points)
    if kind in (RuleKind.DEDUCT, RuleKind.INCREMENT, RuleKind.BONUS):
        match = PER_ITEM.search(basis)
        if match is None:
            errors.append(
                RowProblem(row, _("The basis does not say how many points an item counts."))
            )
            return rule
        rule = Rule(kind=kind, points=points, per_item=Decimal(match.group(1)))
        if kind == RuleKind.BONUS:
            rule = Rule(kind=kind, points=points, per_item=rule.per_item, cap=points)
    elif kind == RuleKind.TIERS:
        tiers = sorted({(Decimal(t), Decimal(p)) for t, p in TIER.findall(basis)}, reverse=True)
        rule = Rule(kind=kind, points=points, tiers=tuple(tiers))
    try:
        rule.check()
    except RuleError as exc:
        errors.append(RowProblem(row, str(exc)))
    return rule


def _rule_from_parts(kind: str, item: Item, errors: list[RowProblem]) -> Rule:
    """The rule as the sheet's part columns give it (每项分值, 最低分, 上限, 分档标准 as
    `90:7; 70:4`, 数据来源), as `exports.rubric_export` writes them."""
    points = item.points or ZERO
    try:
        numbers = {
            part: _parse_points(item.parts.get(part)) for part in ("per_item", "floor", "cap")
        }
        tiers = []
        for pair in re.split(r"[;；,，]", _clean(item.parts.get("tiers"))):
            if pair:
                threshold, _sep, score = pair.partition(":")
                tiers.append((Decimal(threshold), Decimal(score)))
    except (InvalidOperation, ArithmeticError):
        errors.append(RowProblem(item.row, _("A part of the rule is not a number.")))
        return Rule(kind=kind, points=points)
    rule = Rule(
        kind=kind,
        points=points,
        per_item=numbers["per_item"] or ZERO,
        floor=numbers["floor"] or ZERO,
        cap=numbers["cap"],
        tiers=tuple(tiers),
        source=_text(item.parts.get("source")),
    )
    try:
        rule.check()
    except RuleError as exc:
        errors.append(RowProblem(item.row, str(exc)))
    return rule


def _rule_kind(value: Any) -> str | None:
    text = _clean(value).lower()
    if not text:
        return RuleKind.MANUAL
    if text in RuleKind.values:
        return text
    for word, kind in RULE_WORDS:
        if word in text:
            return kind
    return None


def no_header_message() -> str:
    return _(
        "No header row found in the first sheet: it needs a column of indicator names "
        "(指标名称, 考核内容 or 一级指标 …) and one of points (分值) or basis (评分依据)."
    )


def read_rubric(path: Path, *, name: str = "") -> ReadRubric:
    """Read a rubric sheet (the workbook's first sheet). Raises UnusableRubric when the file is
    no workbook or has no header row; problems in rows are collected, not raised."""
    rows = _grid(path, name or path.name)
    found = _header(rows)
    if found is None:
        raise UnusableRubric(no_header_message())
    header_index, columns = found
    errors: list[RowProblem] = []
    # row, code, name, basis, points, rule, the rule's parts
    raw: list[tuple[int, str, str, str, Any, Any, dict[str, Any]]] = []
    by_levels = "code" not in columns and "level1" in columns
    positions: dict[tuple[str, ...], str] = {}

    def cell(values: list[Any], column: str) -> Any:
        index = columns.get(column)
        return values[index] if index is not None and index < len(values) else None

    def parts_of(values: list[Any]) -> dict[str, Any]:
        return {part: cell(values, part) for part in RULE_PARTS if _text(cell(values, part))}

    for index in range(header_index + 1, len(rows)):
        values = rows[index]
        number = index + 1
        texts = [_text(v) for v in values]
        if not any(texts):
            continue
        label = " ".join(_clean(cell(values, c)) for c in ("code", "name", *LEVELS))
        if any(word in label for word in TOTAL_WORDS):
            continue
        if by_levels:
            path_names = [_text(cell(values, level)) for level in LEVELS]
            while path_names and not path_names[-1]:
                path_names.pop()
            if not path_names or not all(path_names):
                errors.append(RowProblem(number, _("A level is left empty above this item.")))
                continue
            for depth in range(1, len(path_names) + 1):
                key = tuple(path_names[:depth])
                if key in positions:
                    continue
                parent = positions.get(key[:-1], "")
                siblings = sum(1 for k in positions if len(k) == depth and k[:-1] == key[:-1])
                code = f"{parent}.{siblings + 1}" if parent else str(siblings + 1)
                positions[key] = code
                is_row_item = depth == len(path_names)
                raw.append(
                    (
                        number,
                        code,
                        key[-1],
                        _text(cell(values, "basis")) if is_row_item else "",
                        cell(values, "points") if is_row_item else None,
                        cell(values, "rule") if is_row_item else None,
                        parts_of(values) if is_row_item else {},
                    )
                )
        else:
            raw.append(
                (
                    number,
                    _code(cell(values, "code")),
                    _text(cell(values, "name")),
                    _text(cell(values, "basis")),
                    cell(values, "points"),
                    cell(values, "rule"),
                    parts_of(values),
                )
            )

    items: list[Item] = []
    by_code: dict[str, Item] = {}
    pending_rules: list[tuple[Item, Any]] = []
    for number, code, item_name, basis, points_cell, rule_cell, parts in raw:
        if not code:
            errors.append(RowProblem(number, _("The item has no code.")))
            continue
        if not CODE.match(code):
            errors.append(
                RowProblem(
                    number,
                    _("“%(code)s” is not a code like 4, 4.2 or 1.1.1.1 (at most four levels).")
                    % {"code": code},
                )
            )
            continue
        if code in by_code:
            errors.append(
                RowProblem(
                    number,
                    _("Code %(code)s is used twice (first in row %(row)s).")
                    % {"code": code, "row": by_code[code].row},
                )
            )
            continue
        if not item_name:
            errors.append(RowProblem(number, _("The item has no name.")))
            continue
        points: Decimal | None = None
        in_name = POINTS_IN_NAME.search(item_name)
        if in_name:
            item_name = item_name[: in_name.start()].strip()
            points = Decimal(in_name.group(1))
        try:
            given = _parse_points(points_cell)
        except InvalidOperation:
            errors.append(
                RowProblem(
                    number,
                    _("The points “%(value)s” are not a number.") % {"value": _text(points_cell)},
                )
            )
            continue
        if given is not None:
            points = given
        item = Item(row=number, code=code, name=item_name, basis=basis, points=points, parts=parts)
        parent_code = item.parent_code
        if parent_code is not None:
            above = by_code.get(parent_code)
            if above is None:
                errors.append(
                    RowProblem(
                        number,
                        _("Item %(code)s has no item %(parent)s above it.")
                        % {"code": code, "parent": parent_code},
                    )
                )
                continue
            above.children.append(item)
        by_code[code] = item
        items.append(item)
        pending_rules.append((item, rule_cell))

    for item, rule_cell in pending_rules:
        if not item.is_indicator:
            continue
        kind = _rule_kind(rule_cell)
        if kind is None:
            errors.append(
                RowProblem(
                    item.row,
                    _("“%(value)s” is not a scoring rule this platform knows.")
                    % {"value": _text(rule_cell)},
                )
            )
            continue
        if item.points is None and kind != RuleKind.VETO:
            errors.append(RowProblem(item.row, _("The indicator has no points.")))
            continue
        if item.parts:
            item.rule = _rule_from_parts(kind, item, errors)
        else:
            item.rule = _rule(kind, item.points or ZERO, item.basis, item.row, errors)

    for item in items:
        if item.is_indicator or item.points is None:
            continue
        counted = [c for c in item.children if c.in_total]
        if any(_points_of(c) is None for c in counted):
            continue
        summed = sum((_points_of(c) for c in counted), ZERO)
        if summed != item.points:
            errors.append(
                RowProblem(
                    item.row,
                    _("%(code)s has %(points)s points but its items add up to %(sum)s.")
                    % {"code": item.code, "points": _plain(item.points), "sum": _plain(summed)},
                )
            )
    if not items and not errors:
        raise UnusableRubric(no_header_message())
    errors.sort(key=lambda e: e.row)
    return ReadRubric(items, errors)
