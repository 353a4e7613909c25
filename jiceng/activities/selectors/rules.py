"""Reads of the rules checklist and units' coverage of it."""

import datetime
from dataclasses import dataclass

from django.db.models import Count

from jiceng.org.models import Level, Unit

from ..models import RuleDocument, RuleItem
from ._tree import child_prefix, children_of

#: Levels whose children hold grassroots associations further down.
ABOVE_GRASSROOTS = (Level.NATIONAL, Level.PROVINCE, Level.CITY)


@dataclass(frozen=True)
class Coverage:
    """Adopted active checklist items ÷ active items."""

    adopted: int
    total: int

    @property
    def ratio(self) -> float | None:
        return self.adopted / self.total if self.total else None

    @property
    def percent(self) -> int | None:
        ratio = self.ratio
        return None if ratio is None else round(ratio * 100)


@dataclass(frozen=True)
class ChecklistRow:
    item: RuleItem
    document: RuleDocument | None


@dataclass(frozen=True)
class RulesChecklist:
    rows: list[ChecklistRow]
    #: Documents recorded for items since taken off the checklist: kept, not counted.
    archived: list[RuleDocument]
    coverage: Coverage


@dataclass(frozen=True)
class ChildCoverage:
    unit: Unit
    own: Coverage
    #: For a child above grassroots level: how many grassroots associations its subtree holds,
    #: and their coverage taken together (all their adopted items ÷ their number × items).
    grassroots: int | None = None
    grassroots_coverage: Coverage | None = None


def rule_items(*, include_inactive: bool = False) -> list[RuleItem]:
    qs = RuleItem.objects.order_by("position", "id")
    return list(qs if include_inactive else qs.filter(is_active=True))


def rule_item_usage() -> dict[int, int]:
    """How many units have a document for each item (one GROUP BY)."""
    return dict(
        RuleDocument.objects.order_by()
        .values_list("item")
        .annotate(n=Count("id"))
        .values_list("item", "n")
    )


def rules_checklist(*, unit: Unit) -> RulesChecklist:
    """The active checklist with the unit's document for each item, and its coverage: two
    queries."""
    items = rule_items()
    documents = {
        d.item_id: d for d in RuleDocument.objects.filter(unit=unit).select_related("item")
    }
    rows = [ChecklistRow(item, documents.pop(item.pk, None)) for item in items]
    adopted = sum(1 for row in rows if row.document is not None)
    return RulesChecklist(
        rows=rows,
        archived=sorted(documents.values(), key=lambda d: (d.item.position, d.pk)),
        coverage=Coverage(adopted, len(items)),
    )


def rules_coverage(*, unit: Unit, year: int | None = None) -> Coverage:
    """The unit's coverage of the active checklist; with a year, counting only the documents
    adopted by the end of that year. The figure standard 6 (sound rules) rests on."""
    total = RuleItem.objects.filter(is_active=True).count()
    documents = RuleDocument.objects.filter(unit=unit, item__is_active=True)
    if year is not None:
        documents = documents.filter(adopted_on__lte=datetime.date(year, 12, 31))
    return Coverage(documents.count(), total)


def rules_coverage_children(*, unit: Unit) -> list[ChildCoverage]:
    """Each child's own coverage and, for children above grassroots level, the coverage of the
    grassroots associations below it. At most five queries, however large the subtree."""
    children = children_of(unit)
    if not children:
        return []
    total = RuleItem.objects.filter(is_active=True).count()
    own = dict(
        RuleDocument.objects.filter(unit__parent=unit, item__is_active=True)
        .order_by()
        .values_list("unit")
        .annotate(n=Count("id"))
        .values_list("unit", "n")
    )
    grassroots: dict[str, int] = {}
    adopted: dict[str, int] = {}
    if any(child.level in ABOVE_GRASSROOTS for child in children):
        grassroots = dict(
            Unit.objects.subtree(unit)
            .filter(level=Level.GRASSROOTS)
            .annotate(prefix=child_prefix(unit, via="path"))
            .order_by()
            .values_list("prefix")
            .annotate(n=Count("id"))
            .values_list("prefix", "n")
        )
        adopted = dict(
            RuleDocument.objects.filter(
                unit__path__subtree=unit.path,
                unit__level=Level.GRASSROOTS,
                item__is_active=True,
            )
            .annotate(prefix=child_prefix(unit))
            .order_by()
            .values_list("prefix")
            .annotate(n=Count("id"))
            .values_list("prefix", "n")
        )
    result = []
    for child in children:
        if child.level in ABOVE_GRASSROOTS:
            count = grassroots.get(child.path, 0)
            result.append(
                ChildCoverage(
                    unit=child,
                    own=Coverage(own.get(child.pk, 0), total),
                    grassroots=count,
                    grassroots_coverage=Coverage(adopted.get(child.path, 0), count * total),
                )
            )
        else:
            result.append(ChildCoverage(unit=child, own=Coverage(own.get(child.pk, 0), total)))
    return result
