"""Member exports: CSV streamed as it is read, .xlsx written in constant memory.

Rows come from the database in chunks (`iterator`), so a million members never sit in memory
at once. ID numbers and phones are masked unless the export was asked for unmasked by someone
allowed to, and that request is audited. No cell can run as a formula: text that starts with
=, +, -, @, a tab or a carriage return is neutralised (a leading apostrophe in CSV, Excel's
quote-prefix in .xlsx), while numbers and dates stay numbers and dates.
"""

import csv
import datetime
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record
from jiceng.core.validators import mask_phone
from jiceng.org.models import Unit

from . import crypto
from .identifiers import mask_id_number
from .models import ExportFormat, ExportState, MemberExport, MemberStatus, MemberType
from .selectors import MemberFilters, member_list

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000
_TYPES = dict(MemberType.choices)
_STATUSES = dict(MemberStatus.choices)


def neutralise(value: str) -> str:
    """A CSV cell that no spreadsheet will run as a formula."""
    return "'" + value if value.startswith(DANGEROUS_START) else value


def headers() -> list[str]:
    """Column titles in the reader's language; the import recognises them."""
    return [
        _("business name"),
        _("operator"),
        _("member type"),
        _("unified social credit code"),
        _("registration number"),
        _("ID number"),
        _("phone"),
        _("industry"),
        _("address"),
        _("join date"),
        _("status"),
        pgettext("export column", "unit"),
        _("unit code"),
    ]


def export_rows(
    *, unit: Unit, filters: MemberFilters, unmasked: bool
) -> Iterator[list[str | datetime.date | None]]:
    """The members of the unit's subtree as export rows, read in chunks."""
    qs = member_list(unit=unit, filters=filters).values_list(
        "business_name",
        "operator",
        "member_type",
        "credit_code",
        "registration_number",
        "id_number_encrypted",
        "phone",
        "industry",
        "address",
        "join_date",
        "status",
        "unit__name",
        "unit__code",
    )
    for (
        name,
        operator,
        member_type,
        code,
        registration,
        encrypted,
        phone,
        industry,
        address,
        joined,
        status,
        unit_name,
        unit_code,
    ) in qs.iterator(chunk_size=CHUNK):
        id_number = crypto.decrypt(encrypted) if encrypted else ""
        if not unmasked:
            id_number = mask_id_number(id_number) if id_number else ""
            phone = mask_phone(phone) if phone else ""
        yield [
            name,
            operator,
            str(_TYPES.get(member_type, member_type)),
            code,
            registration,
            id_number,
            phone,
            industry,
            address,
            joined,
            str(_STATUSES.get(status, status)),
            unit_name,
            unit_code,
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterator[list[Any]]) -> Iterator[str]:
    """CSV text (UTF-8 with a BOM, so Excel opens it as such), row by row."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([neutralise(h) for h in headers()])
    for row in rows:
        yield writer.writerow(
            [
                value.isoformat()
                if isinstance(value, datetime.date)
                else neutralise("" if value is None else str(value))
                for value in row
            ]
        )


def write_xlsx(rows: Iterator[list[Any]], target: str | IO[bytes], *, progress: Any = None) -> int:
    """Write an .xlsx in constant memory; returns the number of data rows."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(_("Members"))
    bold = workbook.add_format({"bold": True})
    guarded = workbook.add_format({"quote_prefix": True})
    dated = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for col, title in enumerate(headers()):
        sheet.write_string(0, col, title, bold)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 10, 16)
    sheet.set_column(11, 11, 24)
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, datetime.date):
                sheet.write_datetime(count, col, value, dated)
            elif isinstance(value, int | float):
                sheet.write_number(count, col, value)
            elif value.startswith(DANGEROUS_START):
                sheet.write_string(count, col, value, guarded)
            else:
                sheet.write_string(count, col, value)
        if progress is not None and count % CHUNK == 0:
            progress(count)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return count


def export_filename(unit: Unit, file_format: str) -> str:
    return f"members-{unit.code}-{timezone.localtime():%Y%m%d}.{file_format}"


def audit_unmasked_export(*, actor: Actor, unit: Unit, filters: MemberFilters, how: str) -> None:
    """Unmasked exports are written to the audit log (without any of the values)."""
    audit_record(
        actor=actor,
        action="member.export.unmasked",
        unit=unit,
        obj=unit,
        after={"via": how, "filters": filters.as_query()},
        object_repr=unit.name,
    )


def member_export_start(
    *, actor: Actor, unit: Unit, file_format: str, unmasked: bool, filters: MemberFilters
) -> MemberExport:
    """Queue an export written by the job worker (for .xlsx, which takes a while at scale)."""
    from . import tasks

    with transaction.atomic():
        job = MemberExport.objects.create(
            unit=unit,
            created_by=actor.user,
            file_format=file_format,
            unmasked=unmasked,
            filters=filters.as_query(),
            state=ExportState.QUEUED,
        )
        if unmasked:
            audit_unmasked_export(actor=actor, unit=unit, filters=filters, how="page")
        tasks.write_export.enqueue(job.pk)
    return job


def run_export_job(job_id: int) -> None:
    job = MemberExport.objects.select_related("unit").get(pk=job_id)
    filters = MemberFilters.from_query(job.filters)
    total = member_list(unit=job.unit, filters=filters).count()
    job.state = ExportState.RUNNING
    job.report_progress(0, total, state=ExportState.RUNNING)
    rows = export_rows(unit=job.unit, filters=filters, unmasked=job.unmasked)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / export_filename(job.unit, job.file_format)
            if job.file_format == ExportFormat.XLSX:
                write_xlsx(rows, str(path), progress=lambda n: job.report_progress(n))
            else:
                with path.open("w", encoding="utf-8", newline="") as out:
                    for n, chunk in enumerate(csv_chunks(rows)):
                        out.write(chunk)
                        if n and n % CHUNK == 0:
                            job.report_progress(n)
            with path.open("rb") as handle:
                job.file.save(path.name, File(handle), save=False)
    except Exception as exc:
        MemberExport.objects.filter(pk=job.pk).update(
            state=ExportState.FAILED,
            failure_code="crashed",
            failure_message=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    job.state = ExportState.DONE
    job.finished_at = timezone.now()
    job.progress_done = total
    job.save(update_fields=["file", "state", "finished_at", "progress_done"])
