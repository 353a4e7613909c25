"""The one exporter: declared columns, streamed CSV neutralised by defusedcsv, constant-memory
.xlsx with typed cells, the job hook; and the units export built on it."""

import csv as std_csv
import datetime
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from django.http import HttpResponse
from django.urls import reverse

from conftest import People, Tree, client_for
from jiceng.core import exports as core_exports
from jiceng.core.exports import (
    Column,
    Export,
    csv_chunks,
    csv_response,
    export_response,
    write_to_job,
    write_xlsx,
)
from jiceng.members.models import ExportState, MemberExport
from jiceng.org.models import Unit

DANGEROUS = ["=1+2", "+86 138", "-负责人", "@SUM(A1)", "\tTAB", "\rCR"]


def _export(records: Any) -> Export[dict[str, Any]]:
    return Export(
        columns=[
            Column("text", lambda r: r["text"]),
            Column("=header", lambda r: r.get("n")),
            Column("day", lambda r: r.get("day")),
        ],
        records=records,
        name="things",
        sheet="Things",
    )


def _csv_rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(std_csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def test_csv_neutralises_formulas_and_keeps_numbers_and_dates():
    records = [{"text": t} for t in DANGEROUS] + [
        {"text": "plain", "n": -5, "day": datetime.date(2021, 3, 4)},
        {"text": "", "n": Decimal("12.50")},
    ]
    rows = _csv_rows("".join(csv_chunks(_export(records))))
    assert rows[0] == ["text", "'=header", "day"]
    assert [row[0] for row in rows[1:7]] == ["'" + t for t in DANGEROUS]
    assert rows[7] == ["plain", "-5", "2021-03-04"]
    assert rows[8] == ["", "12.50", ""]


def test_csv_is_streamed_as_the_records_are_read():
    read: list[int] = []

    def records() -> Iterator[dict[str, Any]]:
        for i in range(3):
            read.append(i)
            yield {"text": f"row {i}"}

    response = csv_response(_export(records()))
    assert response.streaming and read == []
    assert response["Content-Disposition"] == 'attachment; filename="things.csv"'
    chunks = iter(response.streaming_content)  # type: ignore[arg-type]
    next(chunks)  # the header
    next(chunks)
    assert read == [0]
    assert len(list(chunks)) == 2 and read == [0, 1, 2]


def test_xlsx_guards_formulas_and_types_numbers_and_dates():
    records = [{"text": t} for t in DANGEROUS] + [
        {"text": "plain", "n": -5, "day": datetime.date(2021, 3, 4)},
        {"text": "x", "n": Decimal("12.50"), "day": datetime.datetime(2021, 3, 4, 8, 30)},
    ]
    out = io.BytesIO()
    assert write_xlsx(_export(records), out) == len(records)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet.title == "Things"
    assert [c.value for c in sheet[1]] == ["text", "=header", "day"]
    assert sheet.cell(row=1, column=2).data_type == "s"
    for row, text in enumerate(DANGEROUS, start=2):
        cell = sheet.cell(row=row, column=1)
        value = cell.value.replace("_x000D_", "\r")  # how openpyxl reads back a CR
        assert value == text and cell.data_type == "s" and cell.quotePrefix
    plain = sheet[8]
    assert plain[0].value == "plain" and not plain[0].quotePrefix
    assert plain[1].value == -5 and plain[1].data_type == "n"
    assert plain[2].value == datetime.datetime(2021, 3, 4)  # a date cell, not text
    assert sheet.cell(row=9, column=2).value == 12.5
    assert sheet.cell(row=9, column=3).value == datetime.datetime(2021, 3, 4, 8, 30)


def test_xlsx_is_written_in_constant_memory(monkeypatch):
    options: list[dict[str, Any]] = []
    real = xlsxwriter.Workbook

    def spy(target: Any, opts: dict[str, Any]) -> Any:
        options.append(opts)
        return real(target, opts)

    monkeypatch.setattr(core_exports.xlsxwriter, "Workbook", spy)
    write_xlsx(_export([{"text": "a"}]), io.BytesIO())
    assert options[0]["constant_memory"] is True
    assert options[0]["strings_to_formulas"] is False


def test_a_large_xlsx_goes_to_the_job_when_there_is_one():
    records = [{"text": str(i)} for i in range(5)]
    queued = HttpResponse("queued")
    assert export_response(_export(records), "csv").streaming
    small = export_response(_export(records), "xlsx", start_job=lambda: queued, inline_limit=5)
    assert small is not queued and small["Content-Type"].startswith("application/vnd.openxml")
    assert export_response(_export(records), "xlsx", start_job=lambda: queued, inline_limit=4) is (
        queued
    )
    inline = export_response(_export(records), "xlsx", inline_limit=4)  # no job: written here
    assert inline is not queued and inline.status_code == 200


def test_the_job_hook_writes_the_file_and_records_a_failure(tree: Tree, people: People):
    job = MemberExport.objects.create(
        unit=tree.shushan, created_by=people.shushan_secretary, file_format="xlsx"
    )
    write_to_job(
        job, _export([{"text": "a"}, {"text": "b"}]), file_format="xlsx", states=ExportState
    )
    job.refresh_from_db()
    assert job.state == ExportState.DONE and job.progress_done == 2 and job.file
    with job.file.open("rb") as handle:
        assert openpyxl.load_workbook(handle).active.max_row == 3

    def broken(_row: Any) -> str:
        raise RuntimeError("boom")

    failing = Export(columns=[Column("x", broken)], records=[{}], name="bad")
    job = MemberExport.objects.create(unit=tree.shushan, file_format="csv")
    with pytest.raises(RuntimeError):
        write_to_job(job, failing, file_format="csv", states=ExportState)
    job.refresh_from_db()
    assert job.state == ExportState.FAILED and "boom" in job.failure_message


# --- the units export -----------------------------------------------------------------------------


def test_units_export_as_csv_and_xlsx(tree: Tree, people: People):
    Unit.objects.filter(pk=tree.branch.pk).update(contact_person="@cmd", phone="-1")
    client = client_for(people.hefei_admin)
    url = reverse("org:unit_export", kwargs={"pk": tree.shushan.pk})
    response: Any = client.get(url)
    assert response.streaming
    rows = _csv_rows(b"".join(response.streaming_content).decode("utf-8"))
    codes = [row[0] for row in rows[1:]]
    assert rows[0][1] == "单位名称"  # the unit's name, not a person's (姓名)
    assert codes == ["340104", tree.branch.code, tree.group.code]  # tree order, subtree only
    branch = rows[2]
    assert "'@cmd" in branch and "-1" in branch and branch[5] == "340104"

    xlsx: Any = client.get(url, {"format": "xlsx"})
    assert xlsx["Content-Disposition"].startswith('attachment; filename="units-340104-')
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert [sheet.cell(row=r, column=1).value for r in range(2, 5)] == codes
    contact = sheet.cell(row=3, column=7)
    assert contact.value == "@cmd" and contact.quotePrefix
    assert client_for(people.baohe_secretary).get(url).status_code == 404
