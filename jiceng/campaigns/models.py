"""The campaign (建设年活动): a year's programme of phases, and the tasks each level must do.

Campaigns are data, not code: next year's is a copy of this year's with its dates shifted
(`services.campaign_copy`). A task is owned by the unit whose plan added it — the campaign's
scope unit for the campaign's own tasks, a province or city for the tasks of its local plan
(实施方案). A local plan may also bring one of the tasks above it forward for its subtree: that
is a *local override* row, a task with `parent_task` set to the task it tightens, owned by the
province or city, carrying the earlier deadline. The rules live in `services.py`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.files import DocumentField, RandomUploadTo
from jiceng.core.locking import Locked
from jiceng.core.rollups import ProvinceTotal, Rows
from jiceng.core.scope import ScopedQuerySet
from jiceng.org.models import Level, Unit

MIN_YEAR = 2000
MAX_YEAR = 2100

#: Levels that may run a campaign of their own: the nation, or a province.
SCOPE_LEVELS = frozenset({Level.NATIONAL, Level.PROVINCE})
#: Levels that write a plan: the campaign's scope unit, and provinces and cities below it.
PLAN_LEVELS = frozenset({Level.NATIONAL, Level.PROVINCE, Level.CITY})
#: Levels a task may be for.
TASK_LEVELS = (Level.PROVINCE, Level.CITY, Level.GRASSROOTS, Level.BRANCH)


_RANKS = {level: rank for rank, level in enumerate(Level.values)}


def level_rank(level: str) -> int:
    """0 for the nation, growing downwards (`Level` lists the levels top to bottom)."""
    return _RANKS[level]


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")


class CompletionKind(models.TextChoices):
    DOCUMENT = "document", _("Document upload")
    MEETING = "meeting", _("Meeting record")
    FORM = "form", _("Form")
    ACKNOWLEDGE = "acknowledge", _("Acknowledge a document")
    CONDITION = "condition", _("System condition")


class Condition(models.TextChoices):
    """Conditions another part of the system reports for a unit (more come with later apps:
    self-inspection submitted, survey quota reached)."""

    LEADING_GROUP_RECORDED = "leading_group_recorded", _("Leading group recorded")
    SELF_INSPECTION_SUBMITTED = "self_inspection_submitted", _("Self-inspection submitted")


class Campaign(Locked):
    name = models.CharField(_("campaign name"), max_length=100)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    #: Whose campaign it is: the national unit by default, or a province running its own.
    unit = models.ForeignKey(
        Unit, verbose_name=_("scope unit"), on_delete=models.PROTECT, related_name="campaigns"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    EDITABLE_FIELDS = ["name", "year"]
    AUDITED_FIELDS = ["name", "year", "unit", "status", "copied_from"]

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "name"], name="campaign_unit_year_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "running", "closed"]),
                name="campaign_status_known",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.status == CampaignStatus.CLOSED

    @property
    def is_running(self) -> bool:
        return self.status == CampaignStatus.RUNNING


class Phase(Locked):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="phases"
    )
    name = models.CharField(_("phase name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"))
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"))

    scope_via = "campaign__unit"

    EDITABLE_FIELDS = ["name", "order", "starts", "ends"]
    AUDITED_FIELDS = ["campaign", *EDITABLE_FIELDS]

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["campaign", "order"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "order"], name="phase_campaign_order"),
            models.CheckConstraint(condition=Q(starts__lte=F("ends")), name="phase_starts_le_ends"),
        ]

    def __str__(self) -> str:
        return self.name


class Task(Locked):
    phase = models.ForeignKey(
        Phase, verbose_name=_("phase"), on_delete=models.CASCADE, related_name="tasks"
    )
    level = models.CharField(
        _("level"), max_length=16, choices=[(v, Level(v).label) for v in TASK_LEVELS]
    )
    title = models.CharField(_("task title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    deadline = models.DateField(_("deadline"))
    completion = models.CharField(_("completed by"), max_length=16, choices=CompletionKind.choices)
    #: For a system-condition task: the condition that completes it.
    condition = models.CharField(
        _("condition"), max_length=40, choices=Condition.choices, blank=True
    )
    #: For an acknowledge task: the document (an original, not a forward) whose acknowledgement
    #: by a unit completes the task for it (`conditions.on_document_acknowledged`).
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document to acknowledge"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: The unit whose plan added this task (the campaign's scope unit for its own tasks).
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    #: Set on a local override: the task above whose deadline this row brings forward for the
    #: owner's subtree.
    parent_task = models.ForeignKey(
        "self",
        verbose_name=_("tightens"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="overrides",
    )

    scope_via = "owner_unit"

    EDITABLE_FIELDS = [
        "title",
        "description",
        "level",
        "deadline",
        "completion",
        "condition",
        "document",
    ]
    AUDITED_FIELDS = ["phase", *EDITABLE_FIELDS, "owner_unit", "parent_task"]

    class Meta:
        verbose_name = _("campaign task")
        verbose_name_plural = _("campaign tasks")
        ordering = ["phase__order", "deadline", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent_task", "owner_unit"],
                condition=Q(parent_task__isnull=False),
                name="task_one_override_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(level__in=["province", "city", "grassroots", "branch"]),
                name="task_level_known",
            ),
            models.CheckConstraint(
                condition=(Q(completion="condition") & ~Q(condition=""))
                | (~Q(completion="condition") & Q(condition="")),
                name="task_condition_iff_condition_kind",
            ),
            models.CheckConstraint(
                condition=Q(document__isnull=True) | Q(completion="acknowledge"),
                name="task_document_only_to_acknowledge",
            ),
        ]
        indexes = [models.Index(fields=["owner_unit", "phase"], name="task_owner_phase")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_override(self) -> bool:
        return self.parent_task_id is not None


class CompletionState(models.TextChoices):
    DONE = "done", _("Done")
    WAIVED = "waived", _("Waived")


def _counts(condition: Q) -> models.GeneratedField:
    return models.GeneratedField(
        expression=models.Case(models.When(condition, then=1), default=0),
        output_field=models.IntegerField(),
        db_persist=True,
    )


class TaskProgressProvinceTotal(ProvinceTotal):
    """A province's figures of one task: the task completions of the units in its subtree,
    summed (`TaskCompletion`'s counts), so that the national progress reads one row per province
    and task. Kept by the roll-up engine (`core/rollups.py`)."""

    task = models.ForeignKey("Task", on_delete=models.CASCADE, related_name="+")
    done_count = models.IntegerField(default=0)
    on_time_count = models.IntegerField(default=0)
    late_count = models.IntegerField(default=0)
    waived_count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "task", "province"], name="task_progress_total_key"
            )
        ]


class TaskCompletion(Rows):
    """A unit's state of one task: done (who, when, the evidence) or waived by a unit above it
    (who, why). No row: not done yet. Always of the task itself, never of a local deadline row.

    `on_time` is kept for the progress figures: done on or before the deadline in force for the
    unit, compared as a date in Asia/Shanghai; the services re-evaluate it when a deadline moves.

    The campaign's progress (`measures.CAMPAIGN_TASKS`) reads these rows as they are — one per
    unit and task, its figures as counts the database computes (`done_count` … 0 or 1) — and
    the province totals kept beside them: a summary table would repeat this one row for row.
    """

    task = models.ForeignKey(
        Task, verbose_name=_("campaign task"), on_delete=models.CASCADE, related_name="completions"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+", db_index=False
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
    state = models.CharField(_("state"), max_length=8, choices=CompletionState.choices)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    on_time = models.BooleanField(_("on time"), default=False)
    #: For now typed fields and/or a note (`{"note": …, "fields": {…}}`); files come later.
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    waived_at = models.DateTimeField(_("waived at"), null=True, blank=True)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("waived by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    waived_reason = models.TextField(_("reason for waiving"), blank=True)
    #: The campaign's year (the task's, kept here for the roll-up engine's reads).
    year = models.PositiveSmallIntegerField(_("year"))
    done_count = _counts(Q(state="done"))
    on_time_count = _counts(Q(state="done", on_time=True))
    late_count = _counts(Q(state="done", on_time=False))
    waived_count = _counts(Q(state="waived"))

    anchored = True
    KEYS = ("task_id",)
    FIGURES = ("done_count", "on_time_count", "late_count", "waived_count")
    TOTALS = TaskProgressProvinceTotal
    ROWS_ARE_FACTS = True

    objects = ScopedQuerySet.as_manager()

    AUDITED_FIELDS = [
        "task",
        "unit",
        "state",
        "done_at",
        "done_by",
        "on_time",
        "evidence",
        "waived_at",
        "waived_by",
        "waived_reason",
    ]

    class Meta:
        verbose_name = _("task completion")
        verbose_name_plural = _("task completions")
        ordering = ["task", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="task_completion_task_unit"),
            models.CheckConstraint(
                condition=(Q(state="done") & Q(done_at__isnull=False))
                | (Q(state="waived") & Q(on_time=False) & ~Q(waived_reason="")),
                name="task_completion_state_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "task"], name="task_completion_unit_task"),
            # The progress of a province's or an association's subtree read from the index
            # alone (the counts and the unit, for grouping per child).
            models.Index(
                fields=[
                    "province",
                    "year",
                    "task",
                    "done_count",
                    "on_time_count",
                    "late_count",
                    "waived_count",
                    "unit",
                ],
                name="task_completion_prov_cov",
            ),
            models.Index(
                fields=[
                    "grassroots",
                    "year",
                    "task",
                    "done_count",
                    "on_time_count",
                    "late_count",
                    "waived_count",
                    "unit",
                ],
                name="task_completion_gr_cov",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.unit}"


class EvidenceFile(models.Model):
    """A file that shows a task was done: the uploaded document of a document task (实施方案), a
    photo of a meeting (动员部署大会). Checked and named by content (`core/files.py`); goes with
    its completion (a reopened task loses its files)."""

    completion = models.ForeignKey(
        TaskCompletion,
        verbose_name=_("task completion"),
        on_delete=models.CASCADE,
        related_name="files",
    )
    # The completion's unit, kept on the file so scope and storage paths need no join.
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    file = DocumentField(_("file"), upload_to=RandomUploadTo("campaign-evidence"))
    #: The name it was uploaded under, shown and offered as the download name only.
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
        """Stored under the extension of its detected type (`RandomUploadTo`)."""
        return (self.file.name or "").rsplit(".", 1)[-1] in {"jpg", "png", "webp"}
