"""A unit's live figures: one registry, one batched signature, one typed result.

Each app declares the figures it owns in its `figures.py` with `@figure(code, label, kind)`:
a function that takes many units and a year and returns, for each unit, a `Figure` — a typed
value with the numerator and denominator it came from. The unit pages show them and the
assessment's computed indicators read them for tens of thousands of units at once, so each
function answers in a fixed number of queries whatever the number of units (summary rows of
the roll-up engine, or one grouped query).

    figures_for(units, year)            → {unit id: {code: Figure}}
    figures_for(units, year, ["dues.collection_rate"])
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from jiceng.org.models import Unit


class Kind(models.TextChoices):
    RATIO = "ratio", _("Rate")
    COUNT = "count", _("Count")
    HOURS = "hours", _("Hours")


@dataclass(frozen=True)
class Figure:
    """A value with what it came from: a ratio is numerator ÷ denominator (None when the
    denominator is 0); a count or an amount is the numerator itself (denominator None)."""

    kind: str
    numerator: Decimal
    denominator: Decimal | None = None
    #: For averages (hours): the value itself when it is not numerator ÷ denominator.
    explicit: Decimal | None = None

    @classmethod
    def ratio(cls, numerator: Any, denominator: Any) -> "Figure":
        return cls(Kind.RATIO, Decimal(numerator), Decimal(denominator))

    @classmethod
    def count(cls, value: Any) -> "Figure":
        return cls(Kind.COUNT, Decimal(value))

    @classmethod
    def average(cls, total: Any, n: Any, *, kind: str = Kind.HOURS) -> "Figure":
        return cls(kind, Decimal(total), Decimal(n))

    @property
    def value(self) -> Decimal | None:
        if self.explicit is not None:
            return self.explicit
        if self.denominator is None:
            return self.numerator
        if not self.denominator:
            return None
        return (self.numerator / self.denominator).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    @property
    def percent(self) -> Decimal | None:
        """A ratio as a percentage with one decimal (None without a denominator)."""
        if self.kind != Kind.RATIO or self.value is None:
            return None
        return (self.value * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


Compute = Callable[[Sequence["Unit"], int], dict[int, Figure]]


@dataclass(frozen=True)
class UnitFigure:
    code: str
    label: str | Promise
    kind: str
    compute: Compute
    #: What the figure covers: the unit's whole subtree, or the unit's own records.
    subtree: bool = True


_REGISTRY: dict[str, UnitFigure] = {}
_discovered = False


def figure(
    code: str, label: str | Promise, kind: str, *, subtree: bool = True
) -> Callable[[Compute], Compute]:
    """Register a figure: `compute(units, year)` returns a Figure for every unit it was given."""

    def decorator(compute: Compute) -> Compute:
        _REGISTRY[code] = UnitFigure(code, label, kind, compute, subtree)
        return compute

    return decorator


def registry() -> dict[str, UnitFigure]:
    global _discovered
    if not _discovered:
        autodiscover_modules("figures")
        _discovered = True
    return dict(_REGISTRY)


def figures_for(
    units: Sequence["Unit"], year: int, codes: Sequence[str] | None = None
) -> dict[int, dict[str, Figure]]:
    """Every registered figure (or those named) for every unit, one batched call per figure."""
    known = registry()
    wanted = list(codes) if codes is not None else list(known)
    result: dict[int, dict[str, Figure]] = {unit.pk: {} for unit in units}
    for code in wanted:
        values = known[code].compute(units, year)
        for unit in units:
            result[unit.pk][code] = values[unit.pk]
    return result


# --- Display --------------------------------------------------------------------------------


def format_amount(value: Any, places: int | None = None) -> str:
    """A number as pages show it, whatever the language: thousands separated by commas
    ("50,895", "1,234.50"). `places` fixes the decimals; None keeps up to two and drops
    trailing zeros of a whole number (money in yuan: "190", "190.50"). Empty for None."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    if places is None:
        number = number.quantize(Decimal("0.01"), ROUND_HALF_UP)
        places = 0 if number == number.to_integral_value() else 2
    quantum = Decimal(1).scaleb(-places)
    return f"{number.quantize(quantum, ROUND_HALF_UP):,.{places}f}"


def unit_figure_rows(unit: "Unit", year: int) -> list[tuple[UnitFigure, Figure]]:
    """Every registered figure of one unit, in registry order, for its page."""
    known = registry()
    values = figures_for([unit], year)[unit.pk]
    return [(known[code], values[code]) for code in known]
