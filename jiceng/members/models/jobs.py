"""Roster imports and member exports: background jobs the page follows."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.files import RandomUploadTo
from jiceng.core.jobs import Job

from .member import MemberType


class ImportMode(models.TextChoices):
    VALID_ONLY = "valid-only", _("Import the valid rows and report the rest")
    ALL_OR_NOTHING = "all-or-nothing", _("Import nothing unless every row is valid")


class ImportState(models.TextChoices):
    INSPECTING = "inspecting", _("Reading the file")
    MAPPING = "mapping", _("Check the columns")
    VALIDATING = "validating", _("Checking every row")
    PREVIEWED = "previewed", _("Checked: ready to import")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    REFUSED = "refused", _("Not imported: some rows have errors")
    FAILED = "failed", _("Failed")


class MemberImport(Job):
    """One roster file on its way in: detected layout, the column mapping, counts, problems."""

    file = models.FileField(_("file"), upload_to=RandomUploadTo("imports"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    file_format = models.CharField(_("format"), max_length=8, blank=True)
    encoding = models.CharField(_("encoding"), max_length=16, blank=True)
    sheet_name = models.CharField(_("sheet"), max_length=100, blank=True)
    sheets = models.JSONField(_("sheets"), default=list, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), null=True, blank=True)
    #: The source columns: [{"index", "letter", "header", "samples"}].
    columns = models.JSONField(_("columns"), default=list, blank=True)
    #: Source column index (as a string) → member field.
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    default_member_type = models.CharField(
        _("member type where the file gives none"),
        max_length=16,
        choices=MemberType.choices,
        blank=True,
    )
    mode = models.CharField(
        _("mode"), max_length=16, choices=ImportMode.choices, default=ImportMode.VALID_ONLY
    )
    state = models.CharField(
        _("state"), max_length=16, choices=ImportState.choices, default=ImportState.INSPECTING
    )
    #: Source row up to which the commit is durable (valid-only mode commits in batches).
    checkpoint_row = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(_("data rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    warning_count = models.PositiveIntegerField(_("rows with warnings"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped rows"), default=0)
    #: What the check found before committing: {"created", "updated", ...}.
    preview = models.JSONField(_("preview"), default=dict, blank=True)

    RUNNING_STATES = frozenset(
        {ImportState.INSPECTING, ImportState.VALIDATING, ImportState.IMPORTING}
    )

    class Meta:
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")
        ordering = ["-id"]
        indexes = [models.Index(fields=["unit", "-id"], name="member_import_unit")]

    def __str__(self) -> str:
        return self.original_name


class ProblemSeverity(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")


class ImportProblem(models.Model):
    """One problem with one cell (or row) of an import, as the spreadsheet numbers it."""

    job = models.ForeignKey(MemberImport, on_delete=models.CASCADE, related_name="problems")
    #: "preview" (the check) or "commit" (the import itself, against the data as it then was).
    phase = models.CharField(max_length=8)
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=120, blank=True)
    field = models.CharField(_("field"), max_length=32, blank=True)
    severity = models.CharField(_("severity"), max_length=8, choices=ProblemSeverity.choices)
    code = models.CharField(_("code"), max_length=40)
    value = models.CharField(_("value"), max_length=200, blank=True)
    #: Values for the message template of `code`, rendered in the reader's language.
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("import problem")
        verbose_name_plural = _("import problems")
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["job", "phase", "row"], name="import_problem_job_row")]

    def __str__(self) -> str:
        return f"{self.row} {self.field} {self.code}"


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    CSV = "csv", "CSV"


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Writing")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class MemberExport(Job):
    """An export written in the background (large .xlsx files), then downloaded."""

    file_format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    unmasked = models.BooleanField(_("full ID numbers and phones"), default=False)
    #: The list's filters when the export was asked for: {"q", "member_type", ...}.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ExportState.choices, default=ExportState.QUEUED
    )
    file = models.FileField(
        _("file"), upload_to=RandomUploadTo("exports"), max_length=200, blank=True
    )

    RUNNING_STATES = frozenset({ExportState.QUEUED, ExportState.RUNNING})

    class Meta:
        verbose_name = _("member export")
        verbose_name_plural = _("member exports")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.unit_id}.{self.file_format}"
