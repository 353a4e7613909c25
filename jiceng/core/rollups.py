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

A measure whose national page would otherwise sum one row per unit (the campaign's task
progress: as many rows as task states) also keeps **province totals** (`SummaryRow.TOTALS`, a
`ProvinceTotal` model): per (province, year, keys…) the sum of the rows of the province's
subtree, moved by the same `apply_delta`, recomputed for some provinces by `refresh_totals`
(after a rebuild, a bulk change, a unit move between provinces), checked by `differences`, and
read by `read` at the national root: one row per province and key.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Substr

from jiceng.org.anchors import anchors_of, child_path_length
from jiceng.org.models import Level, Unit

from .actor import Actor
from .audit import audit_record
from .bulk import columns_of, insert_rows
from .scope import subtree_q

T = TypeVar("T")


class ProvinceTotal(models.Model):
    """Base of a measure's province totals: per (province, year, keys…) the sum of the summary
    rows of the units in the province's subtree. Subclasses add the same KEYS and FIGURES
    columns as the measure's rows and a unique constraint on (province, year, *KEYS)."""

    province = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField()

    class Meta:
        abstract = True


class Rows(models.Model):
    """What the engine needs of the model a measure reads per unit: `unit`, `year`, `province`
    and `grassroots` columns, the KEYS and FIGURES columns, and these class attributes.

    Usually a `SummaryRow` table the engine keeps. A measure whose facts are one row per unit
    and key already (a unit's state of a campaign task) may read the fact table itself, its
    figures computed by the database (generated columns), and say `ROWS_ARE_FACTS`: a second
    table would repeat it row for row. The engine then never writes those rows; deltas move
    only the province totals, and a rebuild repairs what the measure derives in its facts."""

    anchored: ClassVar[bool] = True
    #: Units above the grassroots level have rows too (a city's own activities).
    anchored_above_grassroots: ClassVar[bool] = True
    KEYS: ClassVar[tuple[str, ...]] = ()
    FIGURES: ClassVar[tuple[str, ...]] = ()
    #: The province totals kept beside the rows, if the measure keeps them.
    TOTALS: ClassVar[type[ProvinceTotal] | None] = None
    #: The rows are the facts (see above).
    ROWS_ARE_FACTS: ClassVar[bool] = False

    class Meta:
        abstract = True


class SummaryRow(Rows):
    """Base of a measure's summary table: one row per (unit, year, keys…) with the figures of
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
    model: ClassVar[type[Rows]]
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

    def rebuild_rows(
        self, *, units: QuerySet[Unit] | None = None, years: Sequence[int] | None = None
    ) -> int:
        """Make the rows of these units and years (all when None) equal to the facts; returns
        the number of rows written (or, for a measure that writes only what differs, held)."""
        return rebuild_from_facts(self, units=units, years=years)

    def rebuild(
        self, *, units: QuerySet[Unit] | None = None, years: Sequence[int] | None = None
    ) -> int:
        """`rebuild_rows`, then the province totals of the provinces those units lie in."""
        with transaction.atomic():
            written = self.rebuild_rows(units=units, years=years)
            if self.model.TOTALS is not None:
                provinces = None
                if units is not None:
                    provinces = {
                        a.province_id for a in anchors_of(units.only("pk", "path")).values()
                    }
                refresh_totals(self.model, provinces=provinces, years=years)
        return written


_MEASURES: dict[str, Measure[Any]] = {}


def register(measure: Measure[T]) -> Measure[T]:
    _MEASURES[measure.name] = measure
    return measure


def measures() -> dict[str, Measure[Any]]:
    return dict(_MEASURES)


# --- Writes ------------------------------------------------------------------------------------


def apply_delta(
    model: type[Rows],
    *,
    unit_id: int,
    year: int,
    keys: Mapping[str, Any] | None = None,
    **deltas: int,
) -> None:
    """Move the row of (unit, year, keys) by `deltas`, creating it (with the unit's anchors) when
    missing, and the province's total the same. The caller holds the transaction of the fact
    change (and, when the rows are the facts, has changed the row already)."""
    deltas = {name: value for name, value in deltas.items() if value}
    if not deltas:
        return
    where = {"unit_id": unit_id, "year": year, **(keys or {})}
    anchors = None
    if model.ROWS_ARE_FACTS:
        pass  # the service changed the fact row itself
    elif not _manager(model).filter(**where).update(**_moved_by(deltas)):
        anchors = anchors_of(Unit.objects.filter(pk=unit_id))[unit_id]
        _upsert(
            model,
            where,
            deltas,
            province_id=anchors.province_id,
            grassroots_id=anchors.grassroots_id,
        )
    if model.TOTALS is not None:
        # After the unit's row: a concurrent `refresh_totals` either sees this row's change
        # and waits for this transaction's lock on the total, or misses both.
        if anchors is None:
            anchors = anchors_of(Unit.objects.filter(pk=unit_id))[unit_id]
        if anchors.province_id is not None:
            where = {"province_id": anchors.province_id, "year": year, **(keys or {})}
            if not _manager(model.TOTALS).filter(**where).update(**_moved_by(deltas)):
                _upsert(model.TOTALS, where, deltas)


def replace_totals(
    model: type[Rows], rows: Iterable[Mapping[str, Any]], *, years: Sequence[int] | None = None
) -> int:
    """Replace the province totals of these years (all when None) by `rows` (each with
    `province_id`, `year`, the KEYS and the FIGURES), for a measure that summed them itself in
    the same pass that checked its rows (a full rebuild). Rows of no province or no figures are
    left out. Returns the number written."""
    totals = model.TOTALS
    assert totals is not None
    stored = _manager(totals).all()
    if years is not None:
        stored = stored.filter(year__in=list(years))
    names = ("province_id", "year", *model.KEYS, *model.FIGURES)
    values = [
        tuple(row[name] for name in names)
        for row in rows
        if row["province_id"] is not None and any(row[name] for name in model.FIGURES)
    ]
    with transaction.atomic():
        stored.delete()
        insert_rows(connection, totals, names, values)
    return len(values)


def follow_unit_move(*, unit: Unit, previous_province_id: int | None = None, **_: object) -> None:
    """After `unit` moved (`org.anchors.unit_moved`; its rows' anchors are rewritten): the
    province totals of the province it left and the one it joined, when they differ."""
    kept = [m.model for m in _MEASURES.values() if m.model.TOTALS is not None]
    if not kept:
        return
    province_id = anchors_of(Unit.objects.filter(pk=unit.pk))[unit.pk].province_id
    if province_id == previous_province_id:
        return
    for model in kept:
        refresh_totals(model, provinces=[previous_province_id, province_id])


def _manager(model: type[models.Model] | None) -> Any:
    """A row model's manager, for lookups on the columns every `Rows` model has (the type
    checker sees only the abstract base's)."""
    assert model is not None
    return model._default_manager


def _moved_by(deltas: Mapping[str, int]) -> dict[str, Any]:
    return {name: F(name) + value for name, value in deltas.items()}


def _upsert(
    model: type[models.Model], where: Mapping[str, Any], deltas: Mapping[str, int], **extra: Any
) -> None:
    """Create the row `where` with `deltas` as its figures; when another writer created it
    meanwhile, add to theirs."""
    try:
        with transaction.atomic():
            _manager(model).create(**where, **extra, **deltas)
    except IntegrityError:
        _manager(model).filter(**where).update(**_moved_by(deltas))


def refresh_totals(
    model: type[Rows],
    *,
    provinces: Iterable[int | None] | None = None,
    years: Sequence[int] | None = None,
) -> int:
    """Recompute the province totals of these provinces and years (all when None) from the
    summary rows: one DELETE and one grouped INSERT … SELECT. For set-based changes to the rows
    (a rebuild, a deadline that re-judges many units, a unit moved to another province);
    single changes go through `apply_delta`. Returns the number of totals written."""
    totals = model.TOTALS
    if totals is None:
        return 0
    stored = _manager(totals).all()
    rows = _manager(model).filter(province_id__isnull=False)
    if provinces is not None:
        chosen = sorted({p for p in provinces if p is not None})
        if not chosen:
            return 0
        stored = stored.filter(province_id__in=chosen)
        rows = rows.filter(province_id__in=chosen)
    if years is not None:
        stored = stored.filter(year__in=list(years))
        rows = rows.filter(year__in=list(years))
    names = ("province_id", "year", *model.KEYS)
    grouped = rows.order_by().values(*names).annotate(**_sums(model))
    select, params = grouped.query.sql_with_params()
    columns = ", ".join(columns_of(totals, [*names, *model.FIGURES]))
    with transaction.atomic(), connection.cursor() as cursor:
        stored.delete()
        cursor.execute(
            f"INSERT INTO {totals._meta.db_table} ({columns}) {select}",
            params,
        )
        return int(cursor.rowcount)


def rebuild_from_facts(
    measure: Measure[Any],
    *,
    units: QuerySet[Unit] | None = None,
    years: Sequence[int] | None = None,
) -> int:
    """Replace the rows of these units and years (all when None) by rows computed from the raw
    facts. Returns the number of rows written. Runs in one transaction. Not for a measure whose
    rows are its facts (it repairs them its own way)."""
    model = measure.model
    assert not model.ROWS_ARE_FACTS, measure.name
    with transaction.atomic():
        stored = _manager(model).all()
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
        row_of: Any = model  # a SummaryRow subclass: the engine writes its rows
        objects = [
            row_of(
                unit_id=row["unit_id"],
                year=row["year"],
                province_id=anchors[row["unit_id"]].province_id,
                grassroots_id=anchors[row["unit_id"]].grassroots_id,
                **{name: row[name] for name in (*model.KEYS, *model.FIGURES)},
            )
            for row in computed
            if any(row[name] for name in model.FIGURES)
        ]
        _manager(model).bulk_create(objects, batch_size=2000)
    return len(objects)


def differences(measure: Measure[Any]) -> list[tuple[tuple[Any, ...], Any, Any]]:
    """(row key, stored figures, computed figures) wherever the stored rows differ from a fresh
    computation from the facts; empty when the maintained rows are right."""
    model = measure.model
    columns = ("unit_id", "year", *model.KEYS)

    def index(
        rows: Iterable[Mapping[str, Any]], columns: Sequence[str] = columns
    ) -> dict[tuple[Any, ...], tuple[int, ...]]:
        result = {}
        for row in rows:
            figures = tuple(int(row[name] or 0) for name in model.FIGURES)
            if any(figures):
                result[tuple(row[c] for c in columns)] = figures
        return result

    stored = index(_manager(model).values(*columns, *model.FIGURES))
    computed = index(measure.facts(units=None))
    found = [
        (key, stored.get(key), computed.get(key))
        for key in sorted(set(stored) | set(computed), key=repr)
        if stored.get(key) != computed.get(key)
    ]
    if model.TOTALS is not None:
        # The province totals against the sums of the stored rows, keyed ("totals", province…).
        names = ("totals", "province_id", "year", *model.KEYS)
        kept = index(
            (
                {"totals": "totals", **row}
                for row in _manager(model.TOTALS).values(*names[1:], *model.FIGURES)
            ),
            names,
        )
        summed = index(
            (
                {"totals": "totals", **_unprefixed(model, row)}
                for row in _manager(model)
                .filter(province_id__isnull=False)
                .order_by()
                .values(*names[1:])
                .annotate(**_sums(model))
            ),
            names,
        )
        found += [
            (key, kept.get(key), summed.get(key))
            for key in sorted(set(kept) | set(summed), key=repr)
            if kept.get(key) != summed.get(key)
        ]
    return found


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


def _sums(model: type[Rows]) -> dict[str, Sum]:
    return {f"sum_{name}": Sum(name) for name in model.FIGURES}


def _unprefixed(model: type[Rows], row: dict[str, Any]) -> dict[str, Any]:
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
    return _manager(model).filter(condition, _year_q(measure, year), measure.rows_filter())


def _grouped(
    measure: Measure[Any], rows: QuerySet[Any], key: str
) -> dict[Any, list[dict[str, Any]]]:
    """Rows summed per (key, KEYS…), gathered per key value."""
    return _gather(measure, _summed(measure, rows, key), key)


def _summed(measure: Measure[Any], rows: QuerySet[Any], key: str) -> QuerySet[Any]:
    return rows.order_by().values(key, *measure.model.KEYS).annotate(**_sums(measure.model))


def _gather(
    measure: Measure[Any], summed: Iterable[dict[str, Any]], key: str
) -> dict[Any, list[dict[str, Any]]]:
    grouped: dict[Any, list[dict[str, Any]]] = {}
    for row in summed:
        grouped.setdefault(row.pop(key), []).append(_unprefixed(measure.model, row))
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
        if _reads_totals(measure):
            # One row per province and key instead of one per unit; the national unit's own
            # rows (no province) beside them.
            assert measure.model.TOTALS is not None
            totals = _manager(measure.model.TOTALS).filter(_year_q(measure, year))
            if where is not None:
                totals = totals.filter(where)
            own = rows.filter(province_id__isnull=True)
            grouped = _gather(
                measure,
                _summed(measure, totals, "province_id").union(
                    _summed(measure, own, "province_id"), all=True
                ),
                "province_id",
            )
        else:
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


def _reads_totals(measure: Measure[Any]) -> bool:
    """Whether national reads may take the province totals: the measure keeps them and counts
    every row (a `rows_filter` may name columns the totals do not have)."""
    return measure.model.TOTALS is not None and measure.rows_filter() == Q()


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
    rows = _manager(model).filter(
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
        base = _manager(model).filter(_year_q(measure, year), measure.rows_filter())
        level = group[0].level
        if level == Level.GRASSROOTS and all(u.level == level for u in group):
            grouped = _grouped(
                measure, base.filter(grassroots_id__in=[u.pk for u in group]), "grassroots_id"
            )
            result.update({u.pk: measure.combine(grouped.get(u.pk, [])) for u in group})
        elif level == Level.PROVINCE and all(u.level == level for u in group):
            if _reads_totals(measure):
                assert model.TOTALS is not None
                base = _manager(model.TOTALS).filter(_year_q(measure, year))
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
