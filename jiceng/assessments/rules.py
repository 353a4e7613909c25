"""How an indicator of a rubric (评分细则) turns what was found into points: the rule kinds of
Chinese assessment rubrics, as pure functions (no database), so that self-inspection, review,
computed indicators and the import share one definition.

- `yes_no` (是否): the indicator's points when met, else 0.
- `deduct` (扣分): the points less `per_item` for each missing item, never below `floor`
  (缺一项扣2分，扣完为止: floor 0).
- `tiers` (分档): the points of the first tier whose threshold the value reaches (≥90% → 10,
  ≥70% → 6, else 0); thresholds in descending order.
- `increment` (累加): `per_item` for each item, at most `cap` (the points when no cap).
- `bonus` (加分): like `increment`, outside the rubric's total (加分项), capped.
- `manual` (人工评分): a score given by a person, within 0 … points, with a reason.
- `veto` (一票否决): no points; when it applies, the assessment fails whatever its total.
- `computed` (自动计算): a figure the platform holds (`source`), scored by `tiers`.

`total` adds the indicators' scores (bonus included) and never exceeds the rubric's points;
`grade` reads a total against the campaign's grade bands, and a veto always fails.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

ZERO = Decimal(0)
#: Scores are kept to one decimal (half points are common: 0.5分).
STEP = Decimal("0.1")


class RuleKind(models.TextChoices):
    YES_NO = "yes_no", _("Yes or no")
    DEDUCT = "deduct", _("Deduction per missing item")
    TIERS = "tiers", _("Tiers")
    INCREMENT = "increment", _("Points per item up to a cap")
    BONUS = "bonus", _("Bonus points")
    MANUAL = "manual", _("Manual score")
    VETO = "veto", _("Veto")
    COMPUTED = "computed", _("Computed from data")


class RuleError(ValueError):
    """A rule that cannot be applied as written (a translated message)."""


@dataclass(frozen=True)
class Rule:
    kind: str
    points: Decimal
    per_item: Decimal = ZERO
    floor: Decimal = ZERO
    cap: Decimal | None = None
    #: (threshold, points), highest threshold first.
    tiers: tuple[tuple[Decimal, Decimal], ...] = field(default_factory=tuple)
    #: For `computed`: the figure it is scored on (a `core/figures.py` code).
    source: str = ""

    @property
    def in_total(self) -> bool:
        """Counts towards the rubric's points (a bonus item lies outside them)."""
        return self.kind not in (RuleKind.BONUS, RuleKind.VETO)

    @property
    def most(self) -> Decimal:
        """The highest score the rule can give."""
        if self.kind == RuleKind.VETO:
            return ZERO
        if self.kind in (RuleKind.INCREMENT, RuleKind.BONUS):
            return self.cap if self.cap is not None else self.points
        return self.points

    def check(self) -> None:
        """Refuse a rule that contradicts itself (RuleError with the reason)."""
        if self.points < 0:
            raise RuleError(_("Points cannot be negative."))
        if self.kind == RuleKind.DEDUCT:
            if self.per_item <= 0:
                raise RuleError(_("A deduction rule needs the points taken per missing item."))
            if not ZERO <= self.floor <= self.points:
                raise RuleError(_("The floor must lie between 0 and the points."))
        if self.kind in (RuleKind.INCREMENT, RuleKind.BONUS) and self.per_item <= 0:
            raise RuleError(_("Give the points added per item."))
        if self.kind in (RuleKind.TIERS, RuleKind.COMPUTED):
            if not self.tiers:
                raise RuleError(_("Give at least one tier (a threshold and its points)."))
            thresholds = [t for t, _p in self.tiers]
            if thresholds != sorted(thresholds, reverse=True) or len(set(thresholds)) != len(
                thresholds
            ):
                raise RuleError(_("Tiers go from the highest threshold down, each once."))
            if any(not ZERO <= p <= self.points for _t, p in self.tiers):
                raise RuleError(_("A tier's points must lie between 0 and the indicator's."))
        if self.kind == RuleKind.COMPUTED and not self.source:
            raise RuleError(_("Name the figure a computed indicator is scored on."))

    def score(self, value: Decimal | int | bool | None) -> Decimal:
        """The points `value` earns: met or not (yes/no; a veto that applies), the number of
        missing items (deduct), of items (increment, bonus), the figure (tiers, computed), or
        the score itself (manual, checked against the range)."""
        if value is None:
            return ZERO
        if self.kind == RuleKind.YES_NO:
            return self.points if value else ZERO
        if self.kind == RuleKind.VETO:
            return ZERO
        number = Decimal(value)
        if self.kind == RuleKind.DEDUCT:
            if number < 0:
                raise RuleError(_("The number of missing items cannot be negative."))
            return _round(max(self.points - self.per_item * number, self.floor))
        if self.kind in (RuleKind.INCREMENT, RuleKind.BONUS):
            if number < 0:
                raise RuleError(_("The number of items cannot be negative."))
            return _round(min(self.per_item * number, self.most))
        if self.kind in (RuleKind.TIERS, RuleKind.COMPUTED):
            return next((p for t, p in self.tiers if number >= t), ZERO)
        # Manual: the score itself.
        if not ZERO <= number <= self.points:
            raise RuleError(
                _("The score must lie between 0 and %(points)s.") % {"points": self.points}
            )
        return _round(number)


def _round(value: Decimal) -> Decimal:
    return value.quantize(STEP, ROUND_HALF_UP)


def total(scores: Iterable[Decimal], *, points: Decimal) -> Decimal:
    """The assessment's total: every indicator's score (bonus items included), never more than
    the rubric's points."""
    return min(sum(scores, ZERO), points)


@dataclass(frozen=True)
class Band:
    """A grade (优秀, 良好, …, or 5A…1A) and the lowest total that earns it."""

    name: str
    minimum: Decimal


def grade(score: Decimal, bands: Sequence[Band], *, vetoed: bool, failed: str) -> str:
    """The grade of a total: the first band (highest minimum first) it reaches; `failed` when a
    veto applies or no band is reached."""
    if vetoed:
        return failed
    for band in sorted(bands, key=lambda b: b.minimum, reverse=True):
        if score >= band.minimum:
            return band.name
    return failed
