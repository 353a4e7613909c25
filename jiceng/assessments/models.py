"""The rubric (评分细则): versioned criteria → indicators, each indicator with its rule.

A rubric in use is frozen (`frozen_at`); an edit makes a new version (`previous` points to the
version it was made from). Codes run up to four levels (`4`, `4.2`, `1.1.1.1`); an indicator is
an item without children. Rules are `rules.Rule`; the columns below are its parts.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.core.files import DocumentField, RandomUploadTo
from jiceng.core.locking import Locked
from jiceng.core.scope import ScopedQuerySet
from jiceng.org.models import Unit

from .rules import Band, Rule, RuleKind


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
    #: Submitting needs at least one evidence file for this indicator (佐证材料).
    needs_evidence = models.BooleanField(_("evidence required"), default=False)

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


# --- the assessment of one campaign ---------------------------------------------------------------


def default_bands() -> list[list[str]]:
    """优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60 (below: 不合格) — as a share of the rubric's points."""
    return [["优秀", "90"], ["良好", "80"], ["合格", "60"]]


class CampaignRubric(models.Model):
    """A campaign's assessment: the rubric its grassroots associations are assessed on (frozen
    from the moment it is chosen) and its grade bands (they differ by locality)."""

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="assessment_setup",
    )
    rubric = models.ForeignKey(
        Rubric, verbose_name=_("rubric"), on_delete=models.PROTECT, related_name="+"
    )
    #: [[name, minimum as a percentage of the rubric's points], …]; below every band: failed.
    bands = models.JSONField(_("grade bands"), default=default_bands)
    failed = models.CharField(_("failing grade"), max_length=20, default="不合格")

    class Meta:
        verbose_name = _("campaign rubric")
        verbose_name_plural = _("campaign rubrics")

    def __str__(self) -> str:
        return f"{self.campaign} · {self.rubric}"

    def band_list(self) -> list[Band]:
        """The bands in points of the rubric (a percentage of its total)."""
        return [
            Band(str(name), (Decimal(str(minimum)) * self.rubric.points / 100))
            for name, minimum in self.bands
        ]


class AssessmentState(models.TextChoices):
    DRAFT = "draft", _("Self-inspection")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


class OfAssociation(Locked):
    """A row of one grassroots association carrying its tree anchors (`org/anchors.py`): the
    association's province and itself, so that a province's or a city's rows are an index
    range and a move rewrites them with every other anchored table."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(
        Unit,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        db_index=False,
    )
    grassroots = models.ForeignKey(
        Unit,
        verbose_name=_("grassroots association"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        db_index=False,
    )

    anchored = True
    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class Assessment(OfAssociation):
    """One grassroots association's assessment in one campaign: its self-inspection
    (自查自评), then the review of each level above. The totals are kept here as scores change,
    so results read these rows, never the scores."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    rubric = models.ForeignKey(
        Rubric, verbose_name=_("rubric"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(
        _("state"), max_length=12, choices=AssessmentState.choices, default=AssessmentState.DRAFT
    )
    #: 1 for the first submission; each return starts the next round (the returned one is kept
    #: in the history).
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    self_total = models.DecimalField(
        _("self-assessed total"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    flagged = models.PositiveSmallIntegerField(_("flagged indicators"), default=0)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    #: The unit whose reviewer approved it (the association's parent).
    approved_by_unit = models.ForeignKey(
        Unit,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
    )

    AUDITED_FIELDS = ["state", "round", "self_total", "total", "grade", "vetoed", "flagged"]

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["campaign", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="assessment_campaign_unit")
        ]
        indexes = [
            models.Index(fields=["campaign", "province", "state"], name="assessment_province"),
            models.Index(fields=["campaign", "grassroots"], name="assessment_grassroots"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.campaign}"

    @property
    def is_editable_by_unit(self) -> bool:
        return self.state in (AssessmentState.DRAFT, AssessmentState.RETURNED)


class Score(models.Model):
    """One indicator of one assessment: the unit's self-score and note, the computed score and
    the figures it came from (frozen at submission), the final score (the last level's), and
    whether the self-score contradicts the computed one beyond the rubric's tolerance."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey(
        RubricItem, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("code"), max_length=20)
    self_score = models.DecimalField(
        _("self-score"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    computed_score = models.DecimalField(
        _("computed score"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    #: What the computed score came from: {"value", "numerator", "denominator", "kind", "year"}.
    computed = models.JSONField(_("computed from"), default=dict, blank=True)
    final_score = models.DecimalField(
        _("final score"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    flagged = models.BooleanField(_("flagged"), default=False)
    #: Why the reviewer sent this indicator back (the latest return; history keeps the rest).
    returned_reason = models.TextField(_("reason for return"), blank=True)

    scope_via = "assessment__unit"

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["assessment", "item__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "code"], name="score_assessment_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.assessment}"


class Adjustment(models.Model):
    """A reviewing level's score of one indicator (its column on the sheet), with the reason
    (扣分原因). The level's latest; the history keeps every change."""

    score = models.ForeignKey(
        Score, verbose_name=_("score"), on_delete=models.CASCADE, related_name="adjustments"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("reviewing unit"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=16)
    value = models.DecimalField(_("score"), max_digits=7, decimal_places=1)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["score", "at"]
        constraints = [
            models.UniqueConstraint(fields=["score", "unit"], name="adjustment_score_unit")
        ]

    def __str__(self) -> str:
        return f"{self.score} · {self.unit} · {self.value}"


class EventKind(models.TextChoices):
    SELF_SCORE = "self_score", _("Self-scored")
    EVIDENCE = "evidence", _("Evidence added")
    SUBMIT = "submit", _("Submitted")
    ADJUST = "adjust", _("Adjusted")
    RETURN = "return", _("Returned")
    APPROVE = "approve", _("Approved")
    UNAPPROVE = "unapprove", _("Approval withdrawn")


class AssessmentEvent(models.Model):
    """The assessment's history: every score given and every step, by whom, from which unit,
    in which round."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("action"), max_length=12, choices=EventKind.choices)
    code = models.CharField(_("indicator"), max_length=20, blank=True)
    value = models.DecimalField(_("score"), max_digits=7, decimal_places=1, null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    round = models.PositiveSmallIntegerField(_("round"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("by unit"), on_delete=models.PROTECT, related_name="+", null=True
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))

    scope_via = "assessment__unit"

    class Meta:
        verbose_name = _("assessment event")
        verbose_name_plural = _("assessment events")
        ordering = ["assessment", "at", "id"]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.kind} {self.code}".rstrip()


class ScoreEvidence(models.Model):
    """A file that supports a self-score (photos of the venue, a meeting's minutes). Checked
    and named by content (`core/files.py`)."""

    score = models.ForeignKey(
        Score, verbose_name=_("score"), on_delete=models.CASCADE, related_name="files"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    file = DocumentField(_("file"), upload_to=RandomUploadTo("assessment-evidence"))
    name = models.CharField(_("name"), max_length=120, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name or str(_("file"))

    @property
    def is_image(self) -> bool:
        return (self.file.name or "").rsplit(".", 1)[-1] in {"jpg", "png", "webp"}


class AreaApproval(models.Model):
    """A level approved the whole area of one of its children (a province a city's, the nation a
    province's) in a campaign: every assessment in it is locked against changes from inside the
    area until the same level or a higher one withdraws it."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    by_unit = models.ForeignKey(
        Unit, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("area approval")
        verbose_name_plural = _("area approvals")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="area_approval_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.campaign}"


# --- rectification (问题清单 / 整改台账) ------------------------------------------------------


class ProblemSource(models.TextChoices):
    SELF_INSPECTION = "self", pgettext_lazy("problem source", "Self-inspection")
    REVIEW = "review", _("Review")
    ON_SITE = "on_site", _("On-site check")
    INVESTIGATION = "investigation", _("Investigation")


class RectificationState(models.TextChoices):
    OPEN = "open", _("Being rectified")
    CLOSED = "closed", _("Closed, awaiting verification")
    VERIFIED = "verified", _("Verified")


class RectificationItem(OfAssociation):
    """A problem found in an association (by itself, a reviewer, an on-site check or the
    investigation phase), to be fixed by an owner before a deadline, closed with proof and
    verified by the level above (accepted, or sent back to be fixed again)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: The indicator it concerns, when it concerns one (re-scored once the item is verified).
    code = models.CharField(_("indicator"), max_length=20, blank=True)
    source = models.CharField(_("found in"), max_length=16, choices=ProblemSource.choices)
    description = models.TextField(_("problem"))
    owner = models.CharField(_("responsible person"), max_length=50)
    deadline = models.DateField(_("deadline"))
    measures = models.TextField(_("measures"), blank=True)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=RectificationState.choices,
        default=RectificationState.OPEN,
    )
    #: Why the level above sent the closure back (the latest).
    sent_back_reason = models.TextField(_("reason for sending back"), blank=True)
    created_by_unit = models.ForeignKey(
        Unit, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by_unit = models.ForeignKey(
        Unit,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    AUDITED_FIELDS = ["code", "source", "description", "owner", "deadline", "measures", "state"]

    class Meta:
        verbose_name = _("rectification item")
        verbose_name_plural = _("rectification items")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["campaign", "province", "state"], name="rectification_province"),
            models.Index(fields=["campaign", "grassroots"], name="rectification_grassroots"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.description[:30]}"

    def is_overdue(self, today: datetime.date) -> bool:
        return self.state != RectificationState.VERIFIED and self.deadline < today


class RectificationFile(models.Model):
    """Proof that a problem was fixed (a photo, a document)."""

    item = models.ForeignKey(
        RectificationItem,
        verbose_name=_("rectification item"),
        on_delete=models.CASCADE,
        related_name="files",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    file = DocumentField(_("file"), upload_to=RandomUploadTo("rectification-proof"))
    name = models.CharField(_("name"), max_length=120, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("proof of closure")
        verbose_name_plural = _("proofs of closure")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name or str(_("file"))

    @property
    def is_image(self) -> bool:
        return (self.file.name or "").rsplit(".", 1)[-1] in {"jpg", "png", "webp"}
