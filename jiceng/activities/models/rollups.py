"""Summary rows of the roll-up engine (`core/rollups.py`) for activities, complaints and rules:
pages read these, never the raw facts."""

from django.db import models

from jiceng.core.rollups import SummaryRow

from .rules import RuleItem


class ActivityRollup(SummaryRow):
    """A unit's own activities of one kind in one year."""

    kind = models.CharField(max_length=32)
    activities = models.IntegerField(default=0)
    participants = models.BigIntegerField(default=0)
    members_served = models.BigIntegerField(default=0)

    KEYS = ("kind",)
    FIGURES = ("activities", "participants", "members_served")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "kind"], name="activity_rollup_unit_year_kind"
            )
        ]
        indexes = [
            models.Index(fields=["year", "province"], name="activity_rollup_year_prov"),
            models.Index(fields=["grassroots", "year"], name="activity_rollup_gr_year"),
        ]


class ComplaintRollup(SummaryRow):
    """A unit's own complaints received in one year, per state: how many, how many have had a
    first response, and the seconds those responses took in all."""

    state = models.CharField(max_length=16)
    complaints = models.IntegerField(default=0)
    responded = models.IntegerField(default=0)
    wait_seconds = models.BigIntegerField(default=0)

    KEYS = ("state",)
    FIGURES = ("complaints", "responded", "wait_seconds")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "state"], name="complaint_rollup_unit_year_state"
            )
        ]
        indexes = [
            models.Index(fields=["year", "province"], name="complaint_rollup_year_prov"),
            models.Index(fields=["grassroots", "year"], name="complaint_rollup_gr_year"),
        ]


class RulesRollup(SummaryRow):
    """A unit's documents for one checklist item adopted in one year (0 or 1: one document per
    unit and item). Coverage by the end of year Y sums the rows up to Y of active items."""

    item = models.ForeignKey(RuleItem, on_delete=models.CASCADE, related_name="+")
    documents = models.IntegerField(default=0)

    KEYS = ("item_id",)
    FIGURES = ("documents",)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "item"], name="rules_rollup_unit_year_item"
            )
        ]
        indexes = [
            models.Index(fields=["province", "year"], name="rules_rollup_prov_year"),
            models.Index(fields=["grassroots", "year"], name="rules_rollup_gr_year"),
        ]


class RecognitionRollup(SummaryRow):
    """A unit's own honours of one level (`kind` = the level) or media reports (`kind` =
    "media") dated in one year."""

    kind = models.CharField(max_length=16)
    items = models.IntegerField(default=0)

    KEYS = ("kind",)
    FIGURES = ("items",)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "kind"], name="recognition_rollup_unit_year_kind"
            )
        ]
        indexes = [
            models.Index(fields=["year", "province"], name="recognition_rollup_year_prov"),
            models.Index(fields=["grassroots", "year"], name="recognition_rollup_gr_year"),
        ]
