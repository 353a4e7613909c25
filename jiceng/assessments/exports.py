"""A rubric as an .xlsx (`core/exports.py`), in the code-column shape the import reads back:
编号, 指标名称, 评分依据, 分值, 评分方式, and the rule's parts (每项分值, 最低分, 上限,
分档标准 as `90:7; 70:4`, 数据来源). The headers are the rubric's own words, in Chinese
whatever the page's language, so that an exported rubric imports unchanged."""

from decimal import Decimal

from jiceng.core.exports import Column, Export

from .models import Rubric, RubricItem
from .rubric_import import RULE_WORD


def _number(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.normalize() + 0


def rubric_export(rubric: Rubric) -> Export[RubricItem]:
    items = rubric.items.order_by("order")
    columns: list[Column[RubricItem]] = [
        Column("编号", lambda i: i.code, 8),
        Column("指标名称", lambda i: i.name, 28),
        Column("评分依据", lambda i: i.basis, 48),
        Column("分值", lambda i: _number(i.points), 8),
        Column("评分方式", lambda i: RULE_WORD.get(i.rule, "") if i.rule else "", 10),
        Column("每项分值", lambda i: _number(i.per_item), 8),
        Column("最低分", lambda i: _number(i.floor) if i.floor else None, 8),
        Column("上限", lambda i: _number(i.cap), 8),
        Column("分档标准", lambda i: "; ".join(f"{t}:{p}" for t, p in i.tiers), 16),
        Column("数据来源", lambda i: i.source, 24),
    ]
    return Export(columns, items, f"{rubric.name}-v{rubric.version}", sheet="评分细则")
