"""The roll-up engine: a measure per unit and period, kept as summary rows.

A *measure* (dues collection, activities, complaints, rules coverage; next the campaign's
progress, survey indices, assessment results) keeps one summary row per (unit, year, keys…)
holding the figures of the unit's OWN facts; a subtree's figures are the sum of its units' rows,
so pages read summary rows and never count raw facts. Rows carry the unit's tree anchors
(`org/anchors.py`), so a national page groups by province and an association's page reads one
index range.

Four operations, the same for every measure:

- `apply_delta(model, unit_id=…, year=…, keys, **deltas)`: a service changed facts; move one row
  by the change, O(1), inside the service's transaction;
- `rebuild(measure, units=…)`: recompute rows from the raw facts (all, or a subtree's units);
- `differences(measure)`: compare the stored rows with a fresh computation (the proof that
  deltas and rebuild agree; `manage.py rebuild_rollups --check` runs it);
- `read(measure, unit=…, year=…)` → `Rollup(total, own, children)`, the one result shape;
  `subtree_figures(measure, units, year)` → figures per unit for many units at once.

A measure describes its facts once (`facts`: a values queryset grouped by unit, year and keys,
with the figures summed) and how rows become its typed figures (`combine`).
"""

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Substr

from jiceng.org.anchors import anchors_of, child_path_length
from jiceng.org.models import Level, Unit

from .actor import Actor
from .audit import audit_record
from .scope import subtree_q

T = TypeVar("T")


class SummaryRow(models.Model):
    """Base of every measure's summary table: one row per (unit, year, keys…) with the figures of
    the unit's own facts, and the unit's anchors. Subclasses add `KEYS` and `FIGURES` columns and
    a unique constraint on (unit, year, *KEYS)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField()
    province = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", db_index=False, null=True
    )
    grassroots = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", db_index=False, null=True
    )

    anchored: ClassVar[bool] = True
    #: Units above the grassroots level have rows too (a city's own activities).
    anchored_above_grassroots: ClassVar[bool] = True
    KEYS: ClassVar[tuple[str, ...]] = ()
    FIGURES: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True


@dataclass
class Row(Generic[T]):
    """One line of a roll-up: a unit and its figures."""

    unit: Unit
    figures: T
    #: Whether the unit's subtree has any summary row with figures: False marks a unit that
    #: has reported nothing (pages show "Not reported" rather than a row of zeros).
    reported: bool = True


@dataclass
class Rollup(Generic[T]):
    """A unit's figures for its whole subtree (`total`), for its own facts (`own`), and for each
    child's subtree (`children`, in code order)."""

    unit: Unit
    year: int | None
    total: T
    own: T
    children: list[Row[T]]


class Measure(ABC, Generic[T]):
    """What one measure is. Subclasses set `name`, `model`, and define `facts` and `combine`."""

    name: ClassVar[str]
    model: ClassVar[type[SummaryRow]]
    #: Figures of year Y count the facts of every year up to Y (rules adopted by then).
    cumulative: ClassVar[bool] = False

    @abstractmethod
    def facts(self, *, units: QuerySet[Unit] | None) -> QuerySet[Any]:
        """The raw facts of these units (all when None) as a values queryset with `unit_id`,
        `year`, the model's KEYS and FIGURES (summed), one row per (unit, year, keys)."""

    @abstractmethod
    def combine(self, rows: Iterable[Mapping[str, Any]]) -> T:
        """Typed figures from summed rows (each with the KEYS and FIGURES)."""

    def rows_filter(self) -> Q:
        """Rows that count at all (e.g. only checklist items still active)."""
        return Q()

    def rebuild(
        self, *, units: QuerySet[Unit] | None = None, years: Sequence[int] | None = None
    ) -> int:
        return rebuild_from_facts(self, units=units, years=years)


_MEASURES: dict[str, Measure[Any]] = {}


def register(measure: Measure[T]) -> Measure[T]:
    _MEASURES[measure.name] = measure
    return measure


def measures() -> dict[str, Measure[Any]]:
    return dict(_MEASURES)


# --- Writes ------------------------------------------------------------------------------------


def apply_delta(
    model: type[SummaryRow],
    *,
    unit_id: int,
    year: int,
    keys: Mapping[str, Any] | None = None,
    **deltas: int,
) -> None:
    """Move the row of (unit, year, keys) by `deltas`, creating it (with the unit's anchors) when
    missing. The caller holds the transaction of the fact change."""
    deltas = {name: value for name, value in deltas.items() if value}
    if not deltas:
        return
    where = {"unit_id": unit_id, "year": year, **(keys or {})}
    changes = {name: F(name) + value for name, value in deltas.items()}
    if model._default_manager.filter(**where).update(**changes):
        return
    anchors = anchors_of(Unit.objects.filter(pk=unit_id))[unit_id]
    try:
        with transaction.atomic():
            model._default_manager.create(
                **where,
                province_id=anchors.province_id,
                grassroots_id=anchors.grassroots_id,
                **deltas,
            )
    except IntegrityError:  # created meanwhile by another writer: add to theirs
        model._default_manager.filter(**where).update(**changes)


def rebuild_from_facts(
    measure: Measure[Any],
    *,
    units: QuerySet[Unit] | None = None,
    years: Sequence[int] | None = None,
) -> int:
    """Replace the rows of these units and years (all when None) by rows computed from the raw
    facts. Returns the number of rows written. Runs in one transaction."""
    model = measure.model
    with transaction.atomic():
        stored = model._default_manager.all()
        if units is not None:
            stored = stored.filter(unit_id__in=units.order_by().values("pk"))
        if years is not None:
            stored = stored.filter(year__in=list(years))
        stored.delete()
        computed = [
            row for row in measure.facts(units=units) if years is None or row["year"] in years
        ]
        anchors = anchors_of(
            Unit.objects.filter(pk__in={row["unit_id"] for row in computed}).only("pk", "path")
        )
        objects = [
            model(
                unit_id=row["unit_id"],
                year=row["year"],
                province_id=anchors[row["unit_id"]].province_id,
                grassroots_id=anchors[row["unit_id"]].grassroots_id,
                **{name: row[name] for name in (*model.KEYS, *model.FIGURES)},
            )
            for row in computed
            if any(row[name] for name in model.FIGURES)
        ]
        model._default_manager.bulk_create(objects, batch_size=2000)
    return len(objects)


def differences(measure: Measure[Any]) -> list[tuple[tuple[Any, ...], Any, Any]]:
    """(row key, stored figures, computed figures) wherever the stored rows differ from a fresh
    computation from the facts; empty when the maintained rows are right."""
    model = measure.model
    columns = ("unit_id", "year", *model.KEYS)

    def index(rows: Iterable[Mapping[str, Any]]) -> dict[tuple[Any, ...], tuple[int, ...]]:
        result = {}
        for row in rows:
            figures = tuple(int(row[name] or 0) for name in model.FIGURES)
            if any(figures):
                result[tuple(row[c] for c in columns)] = figures
        return result

    stored = index(model._default_manager.values(*columns, *model.FIGURES))
    computed = index(measure.facts(units=None))
    return [
        (key, stored.get(key), computed.get(key))
        for key in sorted(set(stored) | set(computed), key=repr)
        if stored.get(key) != computed.get(key)
    ]


def rebuild(
    measure: Measure[Any],
    *,
    actor: Actor,
    units: QuerySet[Unit] | None = None,
    years: Sequence[int] | None = None,
) -> int:
    """Rebuild a measure's rows (of these units and years, or all) from the facts, audited."""
    year_list = sorted(set(years)) if years is not None else None
    with transaction.atomic():
        rows = measure.rebuild(units=units, years=year_list)
        audit_record(
            actor=actor,
            action="rollups.rebuild",
            unit=None,
            after={
                "measure": measure.name,
                "years": year_list or "all",
                "units": "all" if units is None else units.count(),
                "rows": rows,
            },
            object_repr=measure.name,
        )
    return rows


# --- Reads -------------------------------------------------------------------------------------


def _year_q(measure: Measure[Any], year: int | None) -> Q:
    if year is None:
        return Q()
    return Q(year__lte=year) if measure.cumulative else Q(year=year)


def _sums(model: type[SummaryRow]) -> dict[str, Sum]:
    return {f"sum_{name}": Sum(name) for name in model.FIGURES}


def _unprefixed(model: type[SummaryRow], row: dict[str, Any]) -> dict[str, Any]:
    """A grouped row with its sums under the figures' own names (0 for no rows)."""
    for name in model.FIGURES:
        row[name] = row.pop(f"sum_{name}") or 0
    return row


def rows_in_subtree(measure: Measure[Any], unit: Unit, year: int | None) -> QuerySet[Any]:
    """The measure's rows for `unit`'s subtree and year, through the narrowest anchor."""
    model = measure.model
    condition = subtree_q(model, unit)
    if unit.level == Level.CITY and model.anchored_above_grassroots:
        condition |= Q(unit_id=unit.pk)  # a city's own rows carry no association
    return model._default_manager.filter(condition, _year_q(measure, year), measure.rows_filter())


def _grouped(
    measure: Measure[Any], rows: QuerySet[Any], key: str
) -> dict[Any, list[dict[str, Any]]]:
    """Rows summed per (key, KEYS…), gathered per key value."""
    model = measure.model
    grouped: dict[Any, list[dict[str, Any]]] = {}
    for row in rows.order_by().values(key, *model.KEYS).annotate(**_sums(model)):
        grouped.setdefault(row.pop(key), []).append(_unprefixed(model, row))
    return grouped


def read(
    measure: Measure[T],
    *,
    unit: Unit,
    year: int | None,
    where: Q | None = None,
    children: list[Unit] | None = None,
) -> Rollup[T]:
    """The subtree's figures, the unit's own and each child's subtree (of the rows `where`
    keeps, all by default): two queries however many children and rows (one when the caller
    has the children in code order already)."""
    if children is None:
        children = list(Unit.objects.filter(parent=unit).order_by("code"))
    rows = rows_in_subtree(measure, unit, year)
    if where is not None:
        rows = rows.filter(where)
    if unit.level == Level.NATIONAL:
        grouped = _grouped(measure, rows, "province_id")
        per_child = {child.pk: grouped.get(child.pk, []) for child in children}
        own_rows = grouped.get(None, [])
        child_rows = {child.path: per_child[child.pk] for child in children}
    else:
        prefix = Substr("unit__path", 1, child_path_length(unit))
        grouped = _grouped(measure, rows.annotate(prefix=prefix), "prefix")
        own_rows = grouped.get(unit.path, [])
        child_rows = {child.path: grouped.get(child.path, []) for child in children}
    every = [row for group in grouped.values() for row in group]
    return Rollup(
        unit=unit,
        year=year,
        total=measure.combine(every),
        own=measure.combine(own_rows),
        children=[
            Row(
                child,
                measure.combine(child_rows[child.path]),
                reported=_has_figures(measure, child_rows[child.path]),
            )
            for child in children
        ],
    )


def _has_figures(measure: Measure[Any], rows: Iterable[Mapping[str, Any]]) -> bool:
    return any(row[name] for row in rows for name in measure.model.FIGURES)


def total(measure: Measure[T], *, unit: Unit, year: int | None) -> T:
    """The subtree's figures alone (one query)."""
    model = measure.model
    rows = rows_in_subtree(measure, unit, year).order_by()
    if model.KEYS:
        grouped = rows.values(*model.KEYS).annotate(**_sums(model))
        return measure.combine(_unprefixed(model, row) for row in grouped)
    return measure.combine([_unprefixed(model, rows.aggregate(**_sums(model)))])


def own_figures(measure: Measure[T], *, units: Sequence[Unit], year: int | None) -> dict[int, T]:
    """Each unit's own figures (its own facts only), for many units in one query."""
    model = measure.model
    rows = model._default_manager.filter(
        Q(unit_id__in=[u.pk for u in units]), _year_q(measure, year), measure.rows_filter()
    )
    grouped = _grouped(measure, rows, "unit_id")
    return {u.pk: measure.combine(grouped.get(u.pk, [])) for u in units}


def subtree_figures(
    measure: Measure[T], *, units: Sequence[Unit], year: int | None
) -> dict[int, T]:
    """Each unit's subtree figures, for many units: one query per distinct level among them
    (grassroots associations and provinces through their anchor column)."""
    model = measure.model
    result: dict[int, T] = {}
    by_depth: dict[int, list[Unit]] = {}
    for unit in units:
        by_depth.setdefault(unit.depth, []).append(unit)
    for group in by_depth.values():
        base = model._default_manager.filter(_year_q(measure, year), measure.rows_filter())
        level = group[0].level
        if level == Level.GRASSROOTS and all(u.level == level for u in group):
            grouped = _grouped(
                measure, base.filter(grassroots_id__in=[u.pk for u in group]), "grassroots_id"
            )
            result.update({u.pk: measure.combine(grouped.get(u.pk, [])) for u in group})
        elif level == Level.PROVINCE and all(u.level == level for u in group):
            grouped = _grouped(
                measure, base.filter(province_id__in=[u.pk for u in group]), "province_id"
            )
            result.update({u.pk: measure.combine(grouped.get(u.pk, [])) for u in group})
        else:
            length = len(group[0].path)
            condition = Q()
            for u in group:
                condition |= Q(unit__path__subtree=u.path)
            rows = base.filter(condition).annotate(prefix=Substr("unit__path", 1, length))
            grouped = _grouped(measure, rows, "prefix")
            result.update({u.pk: measure.combine(grouped.get(u.path, [])) for u in group})
    return result


def per_association(measure: Measure[T], *, unit: Unit, year: int | None) -> dict[int, T]:
    """The figures of each grassroots association in `unit`'s subtree (its own rows and those of
    its branches and groups), keyed by the association's id: one query."""
    rows = rows_in_subtree(measure, unit, year).filter(grassroots_id__isnull=False)
    grouped = _grouped(measure, rows, "grassroots_id")
    return {pk: measure.combine(group) for pk, group in grouped.items()}
