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
        # Covering: the national page (year, grouped by province) and an association's page
        # (grassroots, year) read the summed columns from the index alone.
        indexes = [
            models.Index(
                fields=["year", "province", "kind", "activities", "participants", "members_served"],
                name="activity_rollup_year_prov_cov",
            ),
            models.Index(
                fields=[
                    "grassroots",
                    "year",
                    "kind",
                    "activities",
                    "participants",
                    "members_served",
                ],
                name="activity_rollup_gr_year_cov",
            ),
        ]


class ComplaintRollup(SummaryRow):
    """A unit's own complaints received in one year, per state: how many, how many have had a
    first response, the seconds those responses took in all, how many were answered after their
    due date (`late`), and the seconds from receipt to resolution or closing in all.

    Complaints still waiting for a first response are kept per due date (`due_on`, the last day
    a response is on time, `activities/deadlines.py`), so the number overdue today is read from
    these rows; every other row has no due date."""

    state = models.CharField(max_length=16)
    due_on = models.DateField(null=True, blank=True)
    complaints = models.IntegerField(default=0)
    responded = models.IntegerField(default=0)
    wait_seconds = models.BigIntegerField(default=0)
    late = models.IntegerField(default=0)
    resolve_seconds = models.BigIntegerField(default=0)

    KEYS = ("state", "due_on")
    FIGURES = ("complaints", "responded", "wait_seconds", "late", "resolve_seconds")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "state"],
                condition=models.Q(due_on__isnull=True),
                name="complaint_rollup_unit_year_state",
            ),
            models.UniqueConstraint(
                fields=["unit", "year", "state", "due_on"],
                condition=models.Q(due_on__isnull=False),
                name="complaint_rollup_unit_year_state_due",
            ),
        ]
        indexes = [
            models.Index(
                fields=[
                    "year",
                    "province",
                    "state",
                    "due_on",
                    "complaints",
                    "responded",
                    "wait_seconds",
                    "late",
                    "resolve_seconds",
                ],
                name="complaint_rollup_year_prov_cov",
            ),
            models.Index(
                fields=[
                    "grassroots",
                    "year",
                    "state",
                    "due_on",
                    "complaints",
                    "responded",
                    "wait_seconds",
                    "late",
                    "resolve_seconds",
                ],
                name="complaint_rollup_gr_year_cov",
            ),
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
