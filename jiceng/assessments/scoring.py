"""How an assessment's numbers follow from its scores — the one place they are worked out, for
the services that write them and the selectors that show a draft live.

- **Computed indicators** read the unit's figures (`core/figures.py`, one batched call for
  every computed indicator of the rubric): a rate is scored in percent, a count as it is.
  What it came from is kept with the score (`Computed.as_json`) and shown as
  "87.5% = 350 / 400 (2026)".
- **Flagged**: a self-score further from the computed score than the rubric's tolerance.
- **Final score** of an indicator: the score of the highest level that adjusted it (each
  level reviews after the one below), else the self-score.
- **Totals** (`rules.total`), **veto** (a veto indicator whose final value is 1: it applies)
  and **grade** (`rules.grade` on the campaign's bands).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jiceng.core.figures import Figure, Kind, figures_for
from jiceng.org.models import Unit

from .models import CampaignRubric, RubricItem
from .rules import RuleKind, grade, total

ZERO = Decimal(0)


@dataclass(frozen=True)
class Computed:
    """A computed indicator's figure and the score it earns."""

    score: Decimal | None
    value: Decimal | None
    numerator: Decimal
    denominator: Decimal | None
    kind: str
    year: int

    def as_json(self) -> dict[str, Any]:
        return {
            "value": None if self.value is None else str(self.value),
            "numerator": str(self.numerator),
            "denominator": None if self.denominator is None else str(self.denominator),
            "kind": self.kind,
            "year": self.year,
        }


def _scored_value(figure: Figure) -> Decimal | None:
    """A rate in percent (the tiers are written so: 90 means 90%), anything else as it is."""
    return figure.percent if figure.kind == Kind.RATIO else figure.value


def compute(unit: Unit, year: int, items: Sequence[RubricItem]) -> dict[str, Computed]:
    """Every computed indicator of `items` for `unit` in `year`, by code (one figures call)."""
    computed = [item for item in items if item.rule == RuleKind.COMPUTED and item.source]
    if not computed:
        return {}
    figures = figures_for([unit], year, sorted({item.source for item in computed}))[unit.pk]
    found: dict[str, Computed] = {}
    for item in computed:
        figure = figures.get(item.source)
        if figure is None:
            continue
        value = _scored_value(figure)
        found[item.code] = Computed(
            score=None if value is None else item.as_rule().score(value),
            value=value,
            numerator=figure.numerator,
            denominator=figure.denominator,
            kind=figure.kind,
            year=year,
        )
    return found


def describe(computed: Mapping[str, Any]) -> str:
    """ "87.5% = 350 / 400 (2026)", "14 (2026)" — what a computed score came from."""
    if not computed:
        return ""
    value, numerator, denominator = (
        computed.get("value"),
        computed.get("numerator"),
        computed.get("denominator"),
    )
    year = computed.get("year")
    if computed.get("kind") == Kind.RATIO:
        if value is None:
            return f"— = {_plain(numerator)} / {_plain(denominator)} ({year})"
        return f"{_plain(value)}% = {_plain(numerator)} / {_plain(denominator)} ({year})"
    return f"{_plain(value)} ({year})"


def _plain(value: Any) -> str:
    """A figure without trailing zeros (350, 87.5)."""
    if value is None:
        return "—"
    number = Decimal(str(value))
    text = format(number.normalize(), "f") if number == number.to_integral() else str(number)
    return text.rstrip("0").rstrip(".") if "." in text else text


def is_flagged(self_score: Decimal | None, computed: Decimal | None, tolerance: Decimal) -> bool:
    """The unit declared a score the platform's own figures contradict."""
    if self_score is None or computed is None:
        return False
    return abs(self_score - computed) > tolerance


@dataclass(frozen=True)
class Outcome:
    self_total: Decimal
    total: Decimal
    vetoed: bool
    grade: str
    flagged: int


def outcome(
    setup: CampaignRubric,
    rows: Iterable[tuple[RubricItem, Decimal | None, Decimal | None, bool]],
) -> Outcome:
    """Totals, veto, grade and flag count from (indicator, self-score, final score, flagged)."""
    self_scores: list[Decimal] = []
    finals: list[Decimal] = []
    vetoed = False
    flagged = 0
    for item, self_score, final, flag in rows:
        flagged += int(flag)
        if item.rule == RuleKind.VETO:
            vetoed = vetoed or (final is not None and final >= 1)
            continue
        self_scores.append(self_score or ZERO)
        finals.append(final or ZERO)
    points = setup.rubric.points
    final_total = total(finals, points=points)
    return Outcome(
        self_total=total(self_scores, points=points),
        total=final_total,
        vetoed=vetoed,
        grade=grade(final_total, setup.band_list(), vetoed=vetoed, failed=setup.failed),
        flagged=flagged,
    )


def score_range(item: RubricItem) -> tuple[Decimal, Decimal]:
    """The scores an indicator takes: 0 … its rule's highest; a veto 0 (does not apply) or 1."""
    if item.rule == RuleKind.VETO:
        return ZERO, Decimal(1)
    return ZERO, item.as_rule().most
