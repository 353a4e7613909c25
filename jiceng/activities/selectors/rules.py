"""Reads of the rules checklist and units' coverage of it."""

from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import Substr

from jiceng.core import rollups
from jiceng.org.anchors import child_path_length
from jiceng.org.models import Level, Unit

from ..measures import RULES
from ..models import RuleDocument, RuleItem

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

    @property
    def reported(self) -> bool:
        """Whether the child's subtree has adopted any rule: none is "not reported"."""
        theirs = self.grassroots_coverage.adopted if self.grassroots_coverage else 0
        return bool(self.own.adopted or theirs)


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
    adopted by the end of that year. Two queries (the checklist's size, the unit's summary
    rows). The figure standard 6 (sound rules) rests on."""
    total = RuleItem.objects.filter(is_active=True).count()
    return Coverage(rollups.own_figures(RULES, units=[unit], year=year)[unit.pk], total)


def rules_coverage_children(*, unit: Unit) -> list[ChildCoverage]:
    """Each child's own coverage and, for children above grassroots level, the coverage of the
    grassroots associations below it, from the summary rows. Four queries, however large the
    subtree."""
    children = list(Unit.objects.filter(parent=unit).order_by("code"))
    if not children:
        return []
    total = RuleItem.objects.filter(is_active=True).count()
    own = rollups.own_figures(RULES, units=children, year=None)
    grassroots: dict[str, int] = {}
    adopted: dict[str, int] = {}
    if any(child.level in ABOVE_GRASSROOTS for child in children):
        length = child_path_length(unit)
        grassroots = dict(
            Unit.objects.subtree(unit)
            .filter(level=Level.GRASSROOTS)
            .annotate(prefix=Substr("path", 1, length))
            .order_by()
            .values_list("prefix")
            .annotate(n=Count("id"))
            .values_list("prefix", "n")
        )
        # The rows of the associations themselves: an association's own rows carry its id.
        adopted = {
            row.unit.path: row.figures
            for row in rollups.read(
                RULES,
                unit=unit,
                year=None,
                where=Q(unit_id=F("grassroots_id")),
                children=children,
            ).children
        }
    result = []
    for child in children:
        if child.level in ABOVE_GRASSROOTS:
            count = grassroots.get(child.path, 0)
            result.append(
                ChildCoverage(
                    unit=child,
                    own=Coverage(own[child.pk], total),
                    grassroots=count,
                    grassroots_coverage=Coverage(adopted.get(child.path, 0), count * total),
                )
            )
        else:
            result.append(ChildCoverage(unit=child, own=Coverage(own[child.pk], total)))
    return result
