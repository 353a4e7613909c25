"""The rubric (评分细则): versioned criteria → indicators, each indicator with its rule.

A rubric in use is frozen (`frozen_at`); an edit makes a new version (`previous` points to the
version it was made from). Codes run up to four levels (`4`, `4.2`, `1.1.1.1`); an indicator is
an item without children. Rules are `rules.Rule`; the columns below are its parts.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .rules import Rule, RuleKind


class Rubric(models.Model):
    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"), default=1)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: The total without bonus items (100, or 1,000 as the civil-affairs rubrics use).
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=1)
    #: How far a self-score may lie from the computed score before it is flagged.
    tolerance = models.DecimalField(
        _("tolerance"), max_digits=5, decimal_places=1, default=Decimal(0)
    )
    frozen_at = models.DateTimeField(_("frozen"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="rubric_name_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class RubricItem(models.Model):
    """A criterion (top level), a sub-criterion, or an indicator (a leaf, with a rule)."""

    rubric = models.ForeignKey(
        Rubric, verbose_name=_("rubric"), on_delete=models.CASCADE, related_name="items"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent item"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    code = models.CharField(_("code"), max_length=20)
    depth = models.PositiveSmallIntegerField(_("level"))
    order = models.PositiveIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=200)
    basis = models.TextField(_("basis"), blank=True)
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=1, null=True, blank=True)
    rule = models.CharField(_("rule"), max_length=16, choices=RuleKind.choices, blank=True)
    per_item = models.DecimalField(
        _("points per item"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    floor = models.DecimalField(_("floor"), max_digits=6, decimal_places=1, default=Decimal(0))
    cap = models.DecimalField(_("cap"), max_digits=7, decimal_places=1, null=True, blank=True)
    #: [[threshold, points], …], highest threshold first.
    tiers = models.JSONField(_("tiers"), default=list, blank=True)
    #: For a computed indicator: the unit figure it is scored on (`core/figures.py`).
    source = models.CharField(_("data source"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("rubric item")
        verbose_name_plural = _("rubric items")
        ordering = ["rubric", "order"]
        constraints = [models.UniqueConstraint(fields=["rubric", "code"], name="rubric_item_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_indicator(self) -> bool:
        return bool(self.rule)

    def as_rule(self) -> Rule:
        return Rule(
            kind=self.rule,
            points=self.points or Decimal(0),
            per_item=self.per_item or Decimal(0),
            floor=self.floor,
            cap=self.cap,
            tiers=tuple((Decimal(str(t)), Decimal(str(p))) for t, p in self.tiers),
            source=self.source,
        )
