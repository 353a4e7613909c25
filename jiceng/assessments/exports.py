"""Assessment exports through `core/exports.py`.

A rubric as an .xlsx (`core/exports.py`), in the code-column shape the import reads back:
编号, 指标名称, 评分依据, 分值, 评分方式, and the rule's parts (每项分值, 最低分, 上限,
分档标准 as `90:7; 70:4`, 数据来源). The headers are the rubric's own words, in Chinese
whatever the page's language, so that an exported rubric imports unchanged."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from jiceng.campaigns.models import Campaign
from jiceng.core.exports import Column, Export
from jiceng.org.models import Unit

from .models import Assessment, Rubric, RubricItem
from .rubric_import import RULE_WORD
from .selectors import ranking


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


def results_export(campaign: Campaign, unit: Unit) -> Export[Assessment]:
    """The ranking of `unit`'s subtree (`selectors.ranking`) as a sheet: rank, association, its
    parent, totals, grade, veto, flags, approved by whom and when."""
    columns: list[Column[Assessment]] = [
        Column(_("Rank"), lambda a: a.rank, 6),  # type: ignore[attr-defined]
        Column(_("Code"), lambda a: a.unit.code, 10),
        Column(_("Association"), lambda a: a.unit.name, 28),
        Column(_("Parent unit"), lambda a: a.unit.parent.name if a.unit.parent else "", 24),
        Column(_("Total"), lambda a: _number(a.total), 8),
        Column(_("Self-assessed"), lambda a: _number(a.self_total), 8),
        Column(_("Grade"), lambda a: a.grade, 8),
        Column(_("Vetoed"), lambda a: str(_("yes")) if a.vetoed else "", 6),
        Column(_("Flags"), lambda a: a.flagged, 6),
        Column(_("Approved"), lambda a: a.approved_at.date() if a.approved_at else None, 12),
    ]
    return Export(
        columns,
        ranking(campaign, unit),
        f"{unit.code}-{campaign.year}-评估排名",
        sheet=_("Ranking"),
    )
