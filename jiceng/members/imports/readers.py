"""Opening a roster: .xlsx and .xls through python-calamine, CSV through the csv module.

The format is decided by the file's content, not its name. Every row is yielded with the row
number the user sees: Excel's row number for a workbook, the physical line number for a CSV.
Nothing here knows what a member is.
"""

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine
from django.conf import settings

from .errors import UnusableInput

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: An encrypted Office file is an OLE container holding a stream of this name (UTF-16).
ENCRYPTED_MARKER = "EncryptedPackage".encode("utf-16-le")
SNIFF_BYTES = 256 * 1024
#: A zip entry that unpacks over 100 times its packed size and past 50 MB is a bomb, not a sheet.
MAX_RATIO = 100
RATIO_FLOOR = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Roster:
    """An opened roster file. `sheets` lists the visible worksheets (one, unnamed, for CSV)."""

    path: Path
    name: str
    format: str
    sheets: list[str]
    encoding: str = ""
    delimiter: str = ","
    _workbook: Any = field(default=None, repr=False)

    def rows(self, sheet: str) -> Iterator[tuple[int, list[Any]]]:
        """(row number as the user sees it, cell values) for every row, blank ones included."""
        if self.format == "csv":
            yield from self._csv_rows()
            return
        data = self._sheet(sheet)
        for index, values in enumerate(data.iter_rows()):
            yield index + 1, values

    def merged_ranges(self, sheet: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        """The merged cells of a workbook sheet as ((first row, first column), (last row, last
        column)), 0-based from A1 (none for CSV)."""
        if self.format == "csv":
            return []
        return list(self._sheet(sheet).merged_cell_ranges or [])

    def column_offset(self, sheet: str) -> int:
        """Index of the first column the reader returns (workbooks skip empty leading columns)."""
        if self.format == "csv":
            return 0
        start = self._sheet(sheet).start
        return start[1] if start else 0

    def row_estimate(self, sheet: str) -> int:
        """Rows in the sheet (exact for workbooks, line count for CSV), for progress bars."""
        if self.format == "csv":
            lines = 0
            with self.path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    lines += chunk.count(b"\n")
            return lines + 1
        data = self._sheet(sheet)
        start = data.start
        return data.height + (start[0] if start else 0)

    def _sheet(self, sheet: str) -> Any:
        if sheet not in self.sheets:
            raise UnusableInput("unknown_sheet", sheet=sheet)
        cached = getattr(self, "_loaded", None)
        if cached is not None and cached[0] == sheet:
            return cached[1]
        try:
            data = self._workbook.get_sheet_by_name(sheet)
        except Exception as exc:  # calamine raises its own error types
            raise UnusableInput(
                "unreadable", name=self.name, format=self.format, detail=str(exc)[:200]
            ) from exc
        self._loaded = (sheet, data)
        return data

    def _csv_rows(self) -> Iterator[tuple[int, list[Any]]]:
        with self.path.open(encoding=self.encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=self.delimiter)
            line = 1
            try:
                for values in reader:
                    yield line, values
                    line = reader.line_num + 1
            except UnicodeDecodeError:
                raise UnusableInput(
                    "bad_encoding", name=self.name, line=reader.line_num + 1, encoding=self.encoding
                ) from None
            except csv.Error as exc:
                raise UnusableInput(
                    "unreadable", name=self.name, format="CSV", detail=f"line {line}: {exc}"
                ) from None


def open_roster(path: Path, *, name: str) -> Roster:
    """Open a roster file, refusing what is not a usable spreadsheet (UnusableInput)."""
    size = path.stat().st_size
    if size == 0:
        raise UnusableInput("empty_file")
    if size > settings.MAX_IMPORT_BYTES:
        raise UnusableInput(
            "too_large", size=round(size / 1048576, 1), limit=settings.MAX_IMPORT_BYTES // 1048576
        )
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(XLSX_MAGIC):
        _check_zip(path, name)
        return _open_workbook(path, name, "xlsx")
    if head.startswith(OLE_MAGIC):
        if ENCRYPTED_MARKER in path.read_bytes():
            raise UnusableInput("encrypted", name=name)
        return _open_workbook(path, name, "xls")
    return _open_csv(path, name, head, complete=size <= SNIFF_BYTES)


def _check_zip(path: Path, name: str) -> None:
    """Refuse zip bombs before anything unpacks the file, and zips that are no workbook."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise UnusableInput("unreadable", name=name, format="xlsx", detail=str(exc)) from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise UnusableInput("zip_bomb", name=name, unpacked="?")
    unpacked = sum(e.file_size for e in entries)
    bomb = unpacked > settings.MAX_IMPORT_UNPACKED_BYTES or any(
        e.file_size > RATIO_FLOOR and e.file_size > MAX_RATIO * max(e.compress_size, 1)
        for e in entries
    )
    if bomb:
        raise UnusableInput("zip_bomb", name=name, unpacked=unpacked // 1048576)
    names = {e.filename for e in entries}
    if "xl/workbook.xml" not in names:
        raise UnusableInput("not_a_spreadsheet", name=name)


def _open_workbook(path: Path, name: str, fmt: str) -> Roster:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        sheets = [
            meta.name
            for meta in workbook.sheets_metadata
            if str(meta.visible).endswith("Visible") and str(meta.typ).endswith("WorkSheet")
        ]
    except Exception as exc:  # calamine raises its own error types
        raise UnusableInput("unreadable", name=name, format=fmt, detail=str(exc)[:200]) from exc
    if not sheets:
        raise UnusableInput("no_sheets", name=name)
    return Roster(path=path, name=name, format=fmt, sheets=sheets, _workbook=workbook)


def _decodes(head: bytes, encoding: str, *, complete: bool) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(head, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def _all_utf8(path: Path) -> bool:
    """The whole file decodes as UTF-8 (a GBK file can begin with a long ASCII stretch)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _open_csv(path: Path, name: str, head: bytes, *, complete: bool) -> Roster:
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"  # Excel's "Unicode text": tab-separated UTF-16
    elif b"\x00" in head:
        raise UnusableInput("not_a_spreadsheet", name=name)
    elif _decodes(head, "utf-8", complete=complete) and (complete or _all_utf8(path)):
        encoding = "utf-8"
    elif _decodes(head, "gb18030", complete=complete):
        encoding = "gb18030"  # a superset of GBK and GB2312, which Excel on Chinese Windows writes
    else:
        raise UnusableInput("not_a_spreadsheet", name=name)
    sample = codecs.getincrementaldecoder(encoding)(errors="ignore").decode(head[:65536])
    if encoding == "utf-16":
        delimiter = "\t"
    else:
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
        except csv.Error:
            delimiter = ","
    return Roster(
        path=path,
        name=name,
        format="csv",
        sheets=[""],
        encoding=encoding,
        delimiter=delimiter,
    )
