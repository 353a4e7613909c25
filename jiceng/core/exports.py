"""The one way to export a list: declared columns, streamed CSV, constant-memory .xlsx, and
the job worker when a file is large.

An `Export` is a list of `Column`s (a header label and how to get the cell from a record) and
the records, read once, in chunks when they come from a queryset, so a million rows never sit in
memory. Then:

- `csv_response` streams it as CSV (UTF-8 with a BOM, so Excel opens it as such); the cells go
  through `defusedcsv`, so text starting with =, +, -, @ (or a tab or carriage return) gets a
  leading apostrophe and no spreadsheet runs it as a formula;
- `write_xlsx` writes an .xlsx in xlsxwriter's constant-memory mode: numbers stay numbers,
  dates stay dates, and such text is a quote-prefixed string;
- `export_response` answers either format for a request, and hands an .xlsx above
  `inline_limit` rows to `start_job` (which queues it and answers with its progress page);
- `audit_export` records every export in the audit log (`security.export`: what, the format,
  masked or not, the filters; never a value), called by each view or service that starts one;
- `write_to_job` is what that job does in the worker: write the file, report progress, store
  the file on the job row (encrypted at rest with `encrypt=True`, see `core.files`) and mark it
  done (or failed). The file expires with the job's other files (`core.jobs`).

Every answer here says `Cache-Control: no-store`: an export is a copy of the data nobody's
browser or proxy should keep.
"""

import datetime
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Generic, TypeVar

import xlsxwriter
from defusedcsv import csv  # type: ignore[import-untyped]
from django.core.files import File
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.functional import Promise

from .files import CSV, XLSX, encrypt_to

R = TypeVar("R")
Cell = str | int | float | Decimal | datetime.date | None

#: Text starting with one of these is what spreadsheets may run as a formula.
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
#: Rows read from the database at a time, and how often progress is reported.
CHUNK = 2000
#: Above this many rows an .xlsx is written by the job worker, when the page offers a job.
INLINE_LIMIT = 20_000

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column(Generic[R]):
    label: str | Promise
    value: Callable[[R], Cell]
    #: Width in the .xlsx, in characters.
    width: float = 16


def value_of(name: str) -> Callable[[Mapping[str, Any]], Any]:
    """A column value: the row's `name` (rows from `.values()`)."""
    return lambda row: row[name]


def label_of(name: str, labels: Mapping[Any, Any]) -> Callable[[Mapping[str, Any]], str]:
    """A column value: the label of the row's `name` among `labels` (a model's choices)."""
    return lambda row: str(labels.get(row[name], row[name]))


@dataclass
class Export(Generic[R]):
    """What to export: the columns, the records, the file's name (without extension)."""

    columns: Sequence[Column[R]]
    records: Iterable[R]
    name: str
    sheet: str | Promise = "Sheet1"

    def headers(self) -> list[str]:
        return [str(column.label) for column in self.columns]

    def _records(self) -> Iterator[R]:
        if isinstance(self.records, QuerySet):
            return self.records.iterator(chunk_size=CHUNK)
        return iter(self.records)

    def rows(self) -> Iterator[list[Cell]]:
        """The cells, row by row, typed as the getters give them."""
        getters = [column.value for column in self.columns]
        for record in self._records():
            yield [get(record) for get in getters]

    def count(self, *, up_to: int | None = None) -> int:
        """How many rows (a bounded count with `up_to`)."""
        records: Any = self.records
        if isinstance(records, QuerySet):
            return records[:up_to].count() if up_to is not None else records.count()
        return len(records)

    def filename(self, file_format: str) -> str:
        return f"{self.name}.{file_format}"


def neutralise(value: str) -> str:
    """Text no spreadsheet will run as a formula (defusedcsv does this to CSV cells)."""
    return "'" + value if value.startswith(DANGEROUS_START) else value


# --- CSV ------------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_cell(value: Cell) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(("\t", "\r")):
        return "'" + value  # defusedcsv leaves these two to us
    return value


def csv_chunks(export: Export[Any]) -> Iterator[str]:
    """CSV text, row by row: a BOM and the header, then the rows, neutralised by defusedcsv."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(export.headers())
    for row in export.rows():
        yield writer.writerow([_csv_cell(value) for value in row])


def write_csv(export: Export[Any], handle: IO[str], *, progress: Any = None) -> int:
    """Write the CSV to an open text file; returns the number of data rows."""
    count = -1
    for count, chunk in enumerate(csv_chunks(export)):
        handle.write(chunk)
        if progress is not None and count and count % CHUNK == 0:
            progress(count)
    return max(count, 0)


def _disposition(filename: str) -> str:
    return f'attachment; filename="{filename}"'


def csv_response(export: Export[Any]) -> StreamingHttpResponse:
    """The CSV streamed as it is read."""
    response = StreamingHttpResponse(csv_chunks(export), content_type=CSV_TYPE)
    response["Content-Disposition"] = _disposition(export.filename("csv"))
    response["Cache-Control"] = "no-store"
    return response


# --- .xlsx ----------------------------------------------------------------------------------------


def write_xlsx(export: Export[Any], target: str | IO[bytes], *, progress: Any = None) -> int:
    """Write an .xlsx in constant memory; returns the number of data rows."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet(str(export.sheet)[:31])
    bold = workbook.add_format({"bold": True})
    guarded = workbook.add_format({"quote_prefix": True})
    dated = workbook.add_format({"num_format": "yyyy-mm-dd"})
    stamped = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for col, column in enumerate(export.columns):
        sheet.set_column(col, col, column.width)
        sheet.write_string(0, col, str(column.label), bold)
    count = 0
    for count, row in enumerate(export.rows(), start=1):
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, datetime.datetime):
                if timezone.is_aware(value):
                    value = timezone.make_naive(value)
                sheet.write_datetime(count, col, value, stamped)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(count, col, value, dated)
            elif isinstance(value, bool):
                sheet.write_boolean(count, col, value)
            elif isinstance(value, int | float | Decimal):
                sheet.write_number(
                    count, col, float(value) if isinstance(value, Decimal) else value
                )
            elif value.startswith(DANGEROUS_START):
                sheet.write_string(count, col, value, guarded)
            else:
                sheet.write_string(count, col, value)
        if progress is not None and count % CHUNK == 0:
            progress(count)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return count


def xlsx_response(export: Export[Any]) -> FileResponse:
    """The .xlsx written here and now (into a temporary file: a zip is written with seeks)."""
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115  (the response closes it)
    write_xlsx(export, handle.name)
    handle.seek(0)
    response = FileResponse(
        handle, as_attachment=True, filename=export.filename("xlsx"), content_type=XLSX_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response


# --- the audit entry ------------------------------------------------------------------------


def audit_export(
    *,
    actor: Any,
    unit: Any,
    what: str,
    file_format: str,
    unmasked: bool = False,
    filters: Mapping[str, str] | None = None,
) -> None:
    """Write that `actor` exported `what` (a model label, e.g. "members.member") of `unit`'s
    subtree. `filters` must hold nothing personal (`MemberFilters.as_query()` leaves a search by
    ID number or phone out)."""
    from .audit import audit_record

    audit_record(
        actor=actor,
        action="security.export",
        unit=unit,
        obj=unit,
        object_repr=str(unit),
        after={
            "what": what,
            "format": file_format,
            "unmasked": unmasked,
            "filters": dict(filters or {}),
        },
    )


# --- one answer for a request, and the job ------------------------------------------------------


def export_response(
    export: Export[Any],
    file_format: str,
    *,
    start_job: Callable[[], HttpResponse] | None = None,
    inline_limit: int = INLINE_LIMIT,
) -> HttpResponseBase:
    """The export in `file_format` ("csv" or "xlsx"). CSV is always streamed; an .xlsx of more
    than `inline_limit` rows goes to `start_job` when there is one (it queues a job whose worker
    calls `write_to_job`, and answers with the job's page), else it is written here."""
    if file_format != "xlsx":
        return csv_response(export)
    if start_job is not None and export.count(up_to=inline_limit + 1) > inline_limit:
        return start_job()
    return xlsx_response(export)


def write_to_job(
    job: Any, export: Export[Any], *, file_format: str, states: Any, encrypt: bool = False
) -> None:
    """In the worker: write the export into the job's `file`, reporting progress on the row.
    `job` is a `core.jobs.Job` with `state` and `file`; `states` its choices, with RUNNING,
    DONE and FAILED. With `encrypt` the stored file is encrypted (the clear text exists only
    in a private temporary directory while it is written, and is deleted at once)."""
    total = export.count()
    job.report_progress(0, total, state=states.RUNNING)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / export.filename(file_format)
            if file_format == "xlsx":
                write_xlsx(export, str(path), progress=job.report_progress)
            else:
                with path.open("w", encoding="utf-8", newline="") as out:
                    write_csv(export, out, progress=job.report_progress)
            if encrypt:
                sealed = Path(tmp) / "sealed.bin"
                with path.open("rb") as clear, sealed.open("wb") as out_sealed:
                    encrypt_to(clear, out_sealed, XLSX if file_format == "xlsx" else CSV)
                path.unlink()
                path = sealed
            with path.open("rb") as handle:
                job.file.save(path.name, File(handle), save=False)
    except Exception as exc:
        type(job)._default_manager.filter(pk=job.pk).update(
            state=states.FAILED,
            failure_code="crashed",
            failure_message=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    job.state = states.DONE
    job.finished_at = timezone.now()
    job.progress_done = total
    job.save(update_fields=["file", "state", "finished_at", "progress_done"])
