"""The roster import as a sequence of steps a person (or a script) drives.

upload → inspect (sheet, header row, automatic mapping) → mapping confirmed → check every row
(the preview) → commit → done. Each long step runs in the job worker (`members/tasks.py`);
each step's service enqueues its task in the same transaction that moves the job's state.
The command line runs the same steps inline (`run_inline`).
"""

import logging
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record
from jiceng.core.jobs import schedule_purge
from jiceng.org.models import Unit

from ..models import ImportMode, ImportState, MemberImport
from ..validation import holds_members
from .errors import UNUSABLE_MESSAGES, UnusableInput
from .headers import FIELD_LABELS
from .layout import detect_layout
from .pipeline import (
    COMMIT,
    EXISTING_SKIP,
    EXISTING_UPDATE,
    PREVIEW,
    ImportRun,
    existing_choice,
    file_sha256,
    member_units,
)
from .readers import Roster, open_roster

if TYPE_CHECKING:
    from jiceng.accounts.models import User

logger = logging.getLogger(__name__)


def failure_text(job: MemberImport) -> str:
    """Why a job failed, in the reader's language."""
    if job.failure_code in UNUSABLE_MESSAGES:
        return str(UNUSABLE_MESSAGES[job.failure_code]) % job.failure_params
    if job.failure_code == "crashed":
        return _(
            "The import stopped on an internal error and changed nothing beyond the batches it "
            "had finished. Try it again; if it fails again, send this file to your "
            "administrator."
        )
    return job.failure_message


def _fail(job: MemberImport, exc: UnusableInput) -> None:
    job.state = ImportState.FAILED
    job.failure_code = exc.code
    job.failure_params = exc.params
    job.failure_message = exc.message
    job.finished_at = timezone.now()
    job.save(
        update_fields=["state", "failure_code", "failure_params", "failure_message", "finished_at"]
    )


def check_file_kept(job: MemberImport) -> None:
    """The uploaded file is still there (it is deleted FILE_RETENTION_SECONDS after upload)."""
    if not job.file:
        raise UnusableInput("file_expired", name=job.original_name)


def check_file_kept_or_refuse(job: MemberImport) -> None:
    """For a person's step: the uploaded file must still be there."""
    try:
        check_file_kept(job)
    except UnusableInput as exc:
        raise ValidationError(exc.message) from None


def _enqueue(step: str, job: MemberImport) -> None:
    from .. import tasks

    task = {
        "inspect": tasks.inspect_import,
        "check": tasks.check_import,
        "commit": tasks.commit_import,
    }[step]
    task.enqueue(job.pk)


def member_import_start(
    *,
    actor: Actor,
    unit: Unit,
    upload: IO[bytes] | Any,
    name: str,
    mode: str = ImportMode.VALID_ONLY,
    default_member_type: str = "",
    enqueue: bool = True,
) -> MemberImport:
    """Store an uploaded roster and start reading it. Refuses (UnusableInput) a unit that holds
    no members and a file over the size limit, before anything is stored."""
    if not holds_members(unit):
        raise UnusableInput("unknown_unit", unit_code=unit.code)
    size = getattr(upload, "size", None)
    if size is None and hasattr(upload, "fileno"):
        size = os.fstat(upload.fileno()).st_size
    if size is not None and size > settings.MAX_IMPORT_BYTES:
        raise UnusableInput(
            "too_large", size=round(size / 1048576, 1), limit=settings.MAX_IMPORT_BYTES // 1048576
        )
    if size == 0:
        raise UnusableInput("empty_file")
    with transaction.atomic():
        job = MemberImport(
            unit=unit,
            created_by=actor.user,
            original_name=Path(name).name[:255],
            mode=mode,
            default_member_type=default_member_type,
            state=ImportState.INSPECTING,
        )
        job.file.save(Path(name).name, File(upload, name=Path(name).name), save=False)
        job.file_size = job.file.size
        job.save()
        schedule_purge(job.created_at)
        if enqueue:
            _enqueue("inspect", job)
    return job


def run_inspect(job: MemberImport) -> Roster | None:
    """Find the sheet, the header row and the automatic mapping (the worker's step). Returns
    the opened roster, for a caller that goes straight on to import it."""
    try:
        check_file_kept(job)
        path = Path(job.file.path)
        roster = open_roster(path, name=job.original_name)
        layout = detect_layout(roster, sheet=job.sheet_name or None)
    except UnusableInput as exc:
        _fail(job, exc)
        return None
    job.file_sha256 = file_sha256(path)
    job.file_format = roster.format
    job.encoding = roster.encoding
    job.sheets = roster.sheets
    job.sheet_name = layout.sheet
    job.header_row = layout.header_row
    job.columns = layout.columns
    job.mapping = {str(i): f for i, f in layout.mapping.items()}
    job.state = ImportState.MAPPING
    job.heartbeat_at = timezone.now()
    job.save()
    return roster


def clean_mapping(job: MemberImport, mapping: dict[int, str]) -> dict[str, str]:
    """A mapping a person chose: each field once, the business name present."""
    chosen = {i: f for i, f in mapping.items() if f}
    fields = list(chosen.values())
    twice = sorted({f for f in fields if fields.count(f) > 1})
    if twice:
        raise ValidationError(
            _("Each field may come from one column only: %(fields)s is chosen twice.")
            % {"fields": "、".join(str(FIELD_LABELS[f]) for f in twice)}
        )
    if "business_name" not in fields:
        raise ValidationError(_("Choose the column that holds the business name."))
    if any(f not in FIELD_LABELS for f in fields):
        raise ValidationError(_("Unknown field in the mapping."))
    if any(i < 0 or i >= len(job.columns) for i in chosen):
        raise ValidationError(_("Unknown column in the mapping."))
    return {str(i): f for i, f in sorted(chosen.items())}


def member_import_configure(
    *,
    actor: Actor,
    job: MemberImport,
    mapping: dict[int, str],
    mode: str,
    default_member_type: str,
    sheet: str | None = None,
) -> MemberImport:
    """Confirm the mapping (or pick another sheet, which is read again) and check every row."""
    if job.state not in (ImportState.MAPPING, ImportState.PREVIEWED, ImportState.REFUSED):
        raise ValidationError(_("This import can no longer be changed."))
    check_file_kept_or_refuse(job)
    with transaction.atomic():
        job = MemberImport.objects.select_for_update().get(pk=job.pk)
        job.mode = mode
        job.default_member_type = default_member_type
        if sheet is not None and sheet != job.sheet_name:
            if sheet not in job.sheets:
                raise ValidationError(
                    _("The workbook has no sheet named “%(sheet)s”.") % {"sheet": sheet}
                )
            job.sheet_name = sheet
            job.state = ImportState.INSPECTING
            job.save(update_fields=["mode", "default_member_type", "sheet_name", "state"])
            _enqueue("inspect", job)
            return job
        job.mapping = clean_mapping(job, mapping)
        job.state = ImportState.VALIDATING
        job.progress_done = 0
        job.preview = {}
        job.save(
            update_fields=[
                "mode",
                "default_member_type",
                "mapping",
                "state",
                "progress_done",
                "preview",
            ]
        )
        _enqueue("check", job)
    return job


def record_probes(job: MemberImport, *, actor: Actor, phase: str) -> None:
    """Rows whose credit code is held outside the user's area were told only that it cannot be
    used (`validation.render_credit_code_taken`): count them as the member form counts one
    (`security.existence_probe`, what was probed and how often, never the codes)."""
    held_outside = (
        job.problems.filter(phase=phase, code="credit_code_taken")
        .exclude(params__has_key="unit")
        .count()
    )
    if held_outside:
        audit_record(
            actor=actor,
            action="security.existence_probe",
            unit=job.unit,
            after={"what": "credit_code", "count": held_outside},
            object_repr="credit_code",
        )


def run_check(job: MemberImport, *, viewer: "User | None") -> None:
    """Check every row without writing members: the preview (the worker's step)."""
    try:
        outcome = ImportRun(job, phase=PREVIEW, viewer=viewer).execute()
    except UnusableInput as exc:
        _fail(job, exc)
        return
    record_probes(job, actor=Actor(user=viewer), phase=PREVIEW)
    job.preview = outcome.counts.as_dict()
    job.state = ImportState.PREVIEWED
    job.save(update_fields=["preview", "state"])


def member_import_commit(
    *, actor: Actor, job: MemberImport, existing: str | None = None
) -> MemberImport:
    """Start writing the checked rows. When the check found existing members the import would
    change, `existing` says what to do with them: EXISTING_UPDATE or EXISTING_SKIP (leave
    them as they are); there is no default then."""
    with transaction.atomic():
        job = MemberImport.objects.select_for_update().get(pk=job.pk)
        if job.state != ImportState.PREVIEWED:
            raise ValidationError(_("Check the rows before importing them."))
        check_file_kept_or_refuse(job)
        if existing not in (EXISTING_UPDATE, EXISTING_SKIP, None):
            raise ValidationError(_("Unknown choice for the existing members."))
        if existing is None and job.preview.get("updated"):
            raise ValidationError(
                _(
                    "The file changes members already on record: choose whether to update them "
                    "or leave them as they are."
                )
            )
        if job.mode == ImportMode.ALL_OR_NOTHING and job.preview.get("rejected"):
            raise ValidationError(
                _(
                    "%(n)s rows have errors, and this import brings in nothing unless every row "
                    "is valid. Correct the file and upload it again, or choose to import the "
                    "valid rows only."
                )
                % {"n": job.preview["rejected"]}
            )
        job.state = ImportState.IMPORTING
        job.checkpoint_row = 0
        job.preview = {**job.preview, "existing": existing or EXISTING_UPDATE}
        job.save(update_fields=["state", "checkpoint_row", "preview"])
        _enqueue("commit", job)
    return job


def run_commit(job: MemberImport, *, actor: Actor, roster: Roster | None = None) -> None:
    """Write the members (the worker's step), then roll up and audit once for the whole job."""
    try:
        outcome = ImportRun(job, phase=COMMIT, viewer=actor.user, roster=roster).execute()
    except UnusableInput as exc:
        _fail(job, exc)
        return
    from jiceng.dues.services import rollup_refresh_units

    record_probes(job, actor=actor, phase=COMMIT)
    counts = outcome.counts
    with transaction.atomic():
        if not outcome.refused:
            rollup_refresh_units(unit_ids={u.pk for u in member_units(job.unit)})
        job.state = ImportState.REFUSED if outcome.refused else ImportState.DONE
        job.rows_total = counts.rows
        job.created_count = counts.created
        job.updated_count = counts.updated
        job.unchanged_count = counts.unchanged
        job.rejected_count = counts.rejected
        job.warning_count = counts.warnings
        job.skipped_count = counts.skipped
        job.finished_at = timezone.now()
        job.save()
        audit_record(
            actor=actor,
            action="member.import.refused" if outcome.refused else "member.import",
            unit=job.unit,
            obj=job,
            after={
                "file": job.original_name,
                "sha256": job.file_sha256,
                "mode": job.mode,
                "existing": existing_choice(job),
                **counts.as_dict(),
            },
        )


def member_import_resume(*, actor: Actor, job: MemberImport) -> MemberImport:
    """Run an interrupted step again; a committing import carries on from its checkpoint."""
    if not job.is_stale:
        raise ValidationError(_("This import is still running."))
    step = {
        ImportState.INSPECTING: "inspect",
        ImportState.VALIDATING: "check",
        ImportState.IMPORTING: "commit",
    }[ImportState(job.state)]
    with transaction.atomic():
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["heartbeat_at"])
        audit_record(actor=actor, action="member.import.resume", unit=job.unit, obj=job)
        _enqueue(step, job)
    return job


def run_step(step: str, job_id: int) -> None:
    """The worker's entry point for a step; an unexpected error fails the job visibly."""
    job = MemberImport.objects.select_related("unit", "created_by").get(pk=job_id)
    actor = Actor(user=job.created_by)
    try:
        if step == "inspect":
            run_inspect(job)
        elif step == "check":
            run_check(job, viewer=job.created_by)
        else:
            run_commit(job, actor=actor)
    except Exception as exc:
        logger.exception("member import %s failed in step %s", job_id, step)
        MemberImport.objects.filter(pk=job_id).update(
            state=ImportState.FAILED,
            failure_code="crashed",
            failure_message=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise


def run_inline(
    *,
    actor: Actor,
    unit: Unit,
    path: Path,
    mode: str,
    default_member_type: str = "",
    sheet: str | None = None,
) -> MemberImport:
    """The whole import in this process, without a preview: for the command line."""
    with path.open("rb") as handle:
        job = member_import_start(
            actor=actor,
            unit=unit,
            upload=handle,
            name=path.name,
            mode=mode,
            default_member_type=default_member_type,
            enqueue=False,
        )
    if sheet:
        job.sheet_name = sheet
    roster = run_inspect(job)
    if roster is None:
        return job
    job.state = ImportState.IMPORTING
    job.save(update_fields=["state"])
    run_commit(job, actor=actor, roster=roster)
    job.refresh_from_db()
    return job
