"""Grouping facts by the child of a unit they fall under, in one GROUP BY.

A fact's unit path begins with the path of the child it falls under (paths are fixed-width
steps), so grouping on the path's first (depth + 1) steps gives one row per child — and the
unit's own facts, whose path is shorter, group under the unit's own path. Moving a unit moves
its facts with it: nothing is denormalised that a move would have to rewrite.
"""

from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Func
from django.db.models.functions import Substr

from jiceng.org.models import Unit

T = TypeVar("T")


def child_prefix(unit: Unit, *, via: str = "unit__path") -> Func:
    return Substr(via, 1, (unit.depth + 1) * Unit.steplen)


def children_of(unit: Unit) -> list[Unit]:
    """The unit's direct children in code order (one query)."""
    return list(Unit.objects.filter(parent=unit).order_by("code"))


@dataclass
class Row(Generic[T]):
    """One line of a roll-up: a unit and its figures."""

    unit: Unit
    figures: T


@dataclass
class Rollup(Generic[T]):
    """A unit's figures for its whole subtree, for its own records, and for each child's
    subtree."""

    unit: Unit
    year: int | None
    total: T
    own: T
    children: list[Row[T]]
