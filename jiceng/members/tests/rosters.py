"""Rosters as people make them, for tests: .xlsx (xlsxwriter), old .xls (xlwt), CSV in UTF-8,
UTF-8 with BOM and GBK, with title rows, blank rows, totals rows and numbers as floats."""

import csv
import datetime
import io
from pathlib import Path
from typing import Any

import xlsxwriter
import xlwt

TITLE = "合肥市蜀山区个体劳动者协会会员花名册"
HEADER = ["序号", "字号名称", "经营者", "统一社会信用代码", "身份证号码", "联系电话", "入会时间"]


def write_xlsx(
    path: Path,
    rows: list[list[Any]],
    *,
    header: list[str] | None = None,
    title: str | None = TITLE,
    blank_rows_above: int = 1,
    sheet: str = "会员",
    extra_sheets: dict[str, list[list[Any]]] | None = None,
) -> Path:
    """A workbook like the counties send: a merged title row, blank rows, then the header.
    Date cells are real Excel dates; everything else is written as given (floats stay floats)."""
    header = header or HEADER
    workbook = xlsxwriter.Workbook(str(path))
    dated = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for name, sheet_rows in (extra_sheets or {}).items():
        ws = workbook.add_worksheet(name)
        for r, row in enumerate(sheet_rows):
            for c, value in enumerate(row):
                _write_cell(ws, r, c, value, dated)
    ws = workbook.add_worksheet(sheet)
    r = 0
    if title:
        ws.merge_range(0, 0, 0, max(len(header) - 1, 1), title)
        r = 1
    r += blank_rows_above
    ws.write_row(r, 0, header)
    for offset, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            _write_cell(ws, r + offset, c, value, dated)
    workbook.close()
    return path


def _write_cell(ws: Any, r: int, c: int, value: Any, dated: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, datetime.date):
        ws.write_datetime(r, c, datetime.datetime(value.year, value.month, value.day), dated)
    elif isinstance(value, int | float):
        ws.write_number(r, c, value)
    else:
        ws.write_string(r, c, str(value))


def write_xls(path: Path, rows: list[list[Any]], *, header: list[str] | None = None) -> Path:
    """An old-style .xls (BIFF8) as WPS and old Excel save it, with a title row."""
    header = header or HEADER
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("Sheet1")
    dated = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    ws.write_merge(0, 0, 0, len(header) - 1, TITLE)
    for c, title in enumerate(header):
        ws.write(2, c, title)
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, datetime.date):
                ws.write(r, c, datetime.datetime(value.year, value.month, value.day), dated)
            else:
                ws.write(r, c, value)
    book.save(str(path))
    return path


def write_csv(
    path: Path,
    rows: list[list[Any]],
    *,
    header: list[str] | None = None,
    encoding: str = "utf-8",
    title: str | None = None,
) -> Path:
    """A CSV in the given encoding ("utf-8", "utf-8-sig", "gbk", "gb18030")."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    if title:
        writer.writerow([title])
    writer.writerow(header or HEADER)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path
