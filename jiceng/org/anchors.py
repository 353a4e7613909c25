"""Tree anchors: the one place that does ancestor-path arithmetic and keeps fact tables' anchors.

A fact table (members, payments, roll-up rows, …) that is read at national scale carries, beside
its unit, the unit's province and grassroots association (`province_id`, `grassroots_id`),
denormalised: a national roll-up is then one `GROUP BY province_id`, a level's list one index
range. Such a model declares itself with the class attribute `anchored = True`; this module finds
every declared model (`anchored_models`), computes anchors in one query for any number of units
(`anchors_of`), builds the narrowest subtree filter (`anchor_q`), and after a unit moves rewrites
the anchors of every anchored model's rows in the moved subtree (`rewrite_anchors`) — the tree
app needs to know none of its consumers. Consumers with more to do after a move (dues standards
may come from new ancestors) listen to `unit_moved`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Model, Q
from django.dispatch import Signal

if TYPE_CHECKING:
    from .models import Unit

#: Sent after a unit and its subtree moved and every anchored model was rewritten
#: (inside the move's transaction). Arguments: `unit` (refreshed, at its new place) and
#: `previous_province_id` (the province it was in; None for a province or the root).
unit_moved = Signal()


def steplen() -> int:
    from .models import Unit

    return int(Unit.steplen)


def ancestor_paths(path: str, *, include_self: bool = True) -> list[str]:
    """The paths of a unit's ancestors, root first, and of the unit itself unless told not."""
    step = steplen()
    end = len(path) + 1 if include_self else len(path)
    return [path[:length] for length in range(step, end, step)]


def child_path_length(unit: "Unit") -> int:
    """How long the path of a child of `unit` is: a descendant's path cut to this length is the
    path of the child it lies under."""
    return len(unit.path) + steplen()


@dataclass(frozen=True)
class Anchors:
    """The anchors a fact row of some unit carries. `grassroots_id` is None above the
    grassroots level (and the national unit has no province: `province_id` None)."""

    province_id: int | None
    grassroots_id: int | None


#: Paths per `IN` list (SQLite binds at most 32,766 parameters a statement).
PATHS_PER_QUERY = 10_000


def anchors_of(units: Iterable["Unit"]) -> dict[int, Anchors]:
    """unit id → its anchors, for any number of units: one query per `PATHS_PER_QUERY`
    distinct ancestor paths (one for up to a few thousand units)."""
    from .models import Level, Unit

    units = list(units)
    if not units:
        return {}
    paths = sorted({p for u in units for p in ancestor_paths(u.path)})
    known: dict[str, tuple[int, str]] = {}
    for start in range(0, len(paths), PATHS_PER_QUERY):
        known.update(
            (path, (pk, level))
            for pk, path, level in Unit.objects.filter(
                path__in=paths[start : start + PATHS_PER_QUERY]
            )
            .order_by()
            .values_list("pk", "path", "level")
        )
    result: dict[int, Anchors] = {}
    for unit in units:
        prefixes = ancestor_paths(unit.path)
        province_id = known[prefixes[1]][0] if len(prefixes) > 1 else None
        grassroots_id = next(
            (known[p][0] for p in prefixes if known[p][1] == Level.GRASSROOTS), None
        )
        result[unit.pk] = Anchors(province_id, grassroots_id)
    return result


def anchors_of_unit(unit: "Unit") -> Anchors:
    return anchors_of([unit])[unit.pk]


def is_anchored(model: type[Model] | Any) -> bool:
    return bool(getattr(model, "anchored", False))


def anchored_models() -> list[type[Model]]:
    """Every installed model that declares `anchored = True` and whose anchors follow its unit
    (a model may keep anchors of its own meaning — a payment stays with the association that
    issued its receipt — and say `anchors_follow_moves = False`)."""
    return [
        model
        for model in apps.get_models()
        if is_anchored(model) and getattr(model, "anchors_follow_moves", True)
    ]


def anchor_q(unit: "Unit", *, prefix: str = "") -> Q | None:
    """For an anchored model: the filter that keeps the rows of `unit`'s subtree through the
    narrowest indexed anchor column. None below the grassroots level, where the caller filters
    on the unit's path instead. `prefix` reaches the anchored row through a relation."""
    from .models import Level, Unit

    if unit.level == Level.NATIONAL:
        return Q()
    if unit.level == Level.PROVINCE:
        return Q(**{f"{prefix}province_id": unit.pk})
    if unit.level == Level.GRASSROOTS:
        return Q(**{f"{prefix}grassroots_id": unit.pk})
    if unit.level == Level.CITY:
        associations = Unit.objects.subtree(unit).filter(level=Level.GRASSROOTS)
        return Q(**{f"{prefix}grassroots_id__in": associations.order_by().values("pk")})
    return None


def rewrite_anchors(unit: "Unit") -> dict[str, int]:
    """After `unit` moved: set the anchors of every anchored model's rows in its subtree to the
    ones the subtree's units now have. One UPDATE per (model, anchor pair) that changed; returns
    rows changed per model label. The caller holds the transaction."""
    from .models import Unit

    subtree = list(Unit.objects.subtree(unit).order_by())
    by_anchor: dict[Anchors, list[int]] = {}
    for unit_id, anchors in anchors_of(subtree).items():
        by_anchor.setdefault(anchors, []).append(unit_id)
    changed: dict[str, int] = {}
    for model in anchored_models():
        rows = 0
        for anchors, unit_ids in by_anchor.items():
            rows += (
                model._default_manager.filter(unit_id__in=unit_ids)
                .exclude(province_id=anchors.province_id, grassroots_id=anchors.grassroots_id)
                .update(province_id=anchors.province_id, grassroots_id=anchors.grassroots_id)
            )
        changed[model._meta.label] = rows
    return changed
