"""Member pages: what they show and hide, the import flow through the job worker, exports."""

import csv
import datetime
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from conftest import People, Tree, client_for
from jiceng.core.models import AuditEntry
from jiceng.core.tests.helpers import count_queries
from jiceng.core.tests.jobs import run_jobs
from jiceng.members.models import ImportState, Member, MemberExport, MemberImport

from .factories import credit_code, id_number, make_member
from .rosters import write_xlsx

pytestmark = pytest.mark.django_db


def _bulk_members(unit, n: int) -> None:
    for i in range(n):
        make_member(unit, business_name=f"批量商户{i}")


@pytest.mark.parametrize("where", ["shushan", "hefei", "anhui", "root", "branch"])
def test_member_list_query_count_is_flat(tree: Tree, people: People, where: str):
    client = client_for(people.national)
    url = reverse("members:list", kwargs={"pk": getattr(tree, where).pk})
    _bulk_members(tree.branch, 5)
    few = count_queries(client, url)
    _bulk_members(tree.branch, 60)
    _bulk_members(tree.shushan, 20)
    assert count_queries(client, url) == few


def test_list_masks_phones_and_id_numbers(tree: Tree, people: People):
    member = make_member(tree.shushan, phone="13812345678", id_number=id_number())
    page = client_for(people.shushan_secretary).get(
        reverse("members:list", kwargs={"pk": tree.shushan.pk})
    )
    body = page.content.decode()
    assert member.business_name in body
    assert "138****5678" in body and "13812345678" not in body
    detail = (
        client_for(people.shushan_secretary)
        .get(reverse("members:detail", kwargs={"pk": member.pk}))
        .content.decode()
    )
    assert member.id_number_masked in detail and member.id_number not in detail


def test_search_by_name_operator_code_phone_and_id(tree: Tree, people: People):
    number = id_number()
    code = credit_code()
    target = make_member(
        tree.shushan,
        business_name="蜀山老字号酱菜",
        operator="钱多多",
        credit_code=code,
        phone="13712345678",
        id_number=number,
    )
    make_member(tree.shushan, business_name="别的商户", operator="孙某")
    client = client_for(people.hefei_admin)
    url = reverse("members:list", kwargs={"pk": tree.hefei.pk})
    for query in ["酱菜", "钱多", code]:
        body = client.get(url, {"q": query}).content.decode()
        assert target.business_name in body, query
        assert "别的商户" not in body, query
    # A credit-code prefix with letters (a GET, it holds no personal data); a run of digits
    # such as an old registration number is sent by POST and matches codes only.
    old_style = make_member(tree.shushan, credit_code="", registration_number="340104600123456")
    body = client.get(url, {"q": code[:17]}).content.decode()
    assert target.business_name in body and "别的商户" not in body
    body = client.post(url, {"q": "3401046001"}, headers={"HX-Request": "true"}).content.decode()
    assert old_style.business_name in body and "别的商户" not in body
    # Phone and ID number: a city admin may not unmask, so they match nothing for them ...
    for query in ["1371234", number]:
        response = client.post(url, {"q": query}, headers={"HX-Request": "true"})
        assert response.status_code == 200, query
        assert target.business_name not in response.content.decode(), query
    # ... and the grassroots secretary, who may, finds the member by either (by POST only).
    secretary = client_for(people.shushan_secretary)
    shushan = reverse("members:list", kwargs={"pk": tree.shushan.pk})
    for query in ["1371234", number]:
        found = secretary.post(shushan, {"q": query}, headers={"HX-Request": "true"})
        assert target.business_name in found.content.decode(), query
        assert "别的商户" not in found.content.decode(), query
    assert "别的商户" in client.get(url, {"status": "active"}).content.decode()
    assert target.business_name not in client.get(url, {"join_year": "2019"}).content.decode()


def test_create_member_refuses_a_code_held_elsewhere_naming_it_only_within_scope(
    tree: Tree, people: People
):
    code = credit_code()
    make_member(tree.xuanwu, credit_code=code, business_name="南京某店")
    own = credit_code()
    make_member(tree.baohe, credit_code=own, business_name="包河某店")
    client = client_for(people.shushan_secretary)
    url = reverse("members:create", kwargs={"pk": tree.shushan.pk})
    data = {"member_type": "individual", "business_name": "新店", "status": "active"}
    body = client.post(url, {**data, "credit_code": code}).content.decode()
    assert "南京" not in body and "玄武" not in body
    body = client_for(people.hefei_admin).post(url, {**data, "credit_code": own}).content.decode()
    assert "包河某店" in body
    assert not Member.objects.filter(business_name="新店").exists()
    response = client.post(url, {**data, "credit_code": "91350100M000100Y4Z"})
    assert "91350100M000100Y43"[-1] in response.content.decode()  # the right check character
    response = client.post(url, {**data, "credit_code": credit_code(), "phone": "12345"})
    assert response.status_code == 200 and not Member.objects.filter(business_name="新店").exists()
    response = client.post(url, {**data, "credit_code": credit_code(), "id_number": id_number()})
    assert response.status_code == 302
    member = Member.objects.get(business_name="新店")
    assert member.flags == ["missing_join_date"] and member.id_number_index


def test_unmask_is_audited_without_the_values(tree: Tree, people: People):
    number = id_number()
    member = make_member(tree.shushan, phone="13812345678", id_number=number)
    url = reverse("members:unmask", kwargs={"pk": member.pk})
    response = client_for(people.shushan_secretary).post(url)
    body = response.content.decode()
    assert number in body and "13812345678" in body
    entry = AuditEntry.objects.get(action="member.unmask")
    assert entry.actor == people.shushan_secretary
    assert number not in json.dumps([entry.before, entry.after, entry.object_repr])
    assert client_for(people.hefei_admin).post(url).status_code == 403
    assert AuditEntry.objects.filter(action="member.unmask").count() == 1


def test_edit_keeps_the_id_number_when_left_blank(tree: Tree, people: People):
    number = id_number()
    member = make_member(tree.shushan, id_number=number, phone="13812345678")
    client = client_for(people.shushan_secretary)
    url = reverse("members:edit", kwargs={"pk": member.pk})
    data = {
        "member_type": "individual",
        "business_name": "改名后的店",
        "status": "active",
        "credit_code": member.credit_code,
        "phone": "13812345678",
        "lock_version": member.lock_version,
    }
    assert client.post(url, data).status_code == 302
    member.refresh_from_db()
    assert member.business_name == "改名后的店" and member.id_number == number
    stale = client.post(url, {**data, "business_name": "过期的修改"})
    assert stale.status_code == 200 and Member.objects.get().business_name == "改名后的店"
    history = AuditEntry.objects.filter(action="member.update").get()
    assert "13812345678" not in json.dumps(history.after)  # phones masked in the log


def test_move_member_within_scope_only(tree: Tree, people: People):
    member = make_member(tree.shushan)
    client = client_for(people.shushan_secretary)
    url = reverse("members:move", kwargs={"pk": member.pk})
    response = client.post(url, {"new_unit_code": "340111", "lock_version": member.lock_version})
    assert "340111" in response.content.decode()  # 包河: not in 蜀山's area
    response = client.post(url, {"new_unit_code": "340104001", "lock_version": member.lock_version})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.unit == tree.branch and member.grassroots == tree.shushan


def test_import_through_the_pages_and_the_worker(tree: Tree, people: People, tmp_path: Path):
    client = client_for(people.shushan_secretary)
    rows = [
        [1, "甲店", "甲", credit_code(), "", 13800138000.0, datetime.date(2022, 1, 1)],
        [2, "", "乙", credit_code(), "", "", "2022-01-01"],
        [3, "丙店", "丙", credit_code(), "", "123", "2022-01-01"],
    ]
    path = write_xlsx(tmp_path / "花名册.xlsx", rows)
    with path.open("rb") as handle:
        response = client.post(
            reverse("members:import_upload", kwargs={"pk": tree.shushan.pk}),
            {"file": handle, "mode": "valid-only"},
        )
    job = MemberImport.objects.get()
    assert response["Location"] == reverse("members:import", kwargs={"pk": job.pk})
    page: Any = client.get(response["Location"])
    assert page.status_code == 200 and job.state == ImportState.INSPECTING
    run_jobs()
    job.refresh_from_db()
    assert job.state == ImportState.MAPPING and job.header_row == 3
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="mapping"' in html and "字号名称" in html
    mapping = {f"col_{i}": f for i, f in job.mapping.items()}
    client.post(
        reverse("members:import_configure", kwargs={"pk": job.pk}),
        {**mapping, "mode": "valid-only", "default_member_type": ""},
    )
    job.refresh_from_db()
    assert job.state == ImportState.VALIDATING
    # The page polls its progress partial while the worker runs; it asks for a reload when
    # the step is over.
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert 'data-testid="import-progress"' in partial.content.decode()
    assert "HX-Refresh" not in partial
    run_jobs()
    assert client.get(response["Location"], HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    job.refresh_from_db()
    assert job.state == ImportState.PREVIEWED
    assert job.preview["created"] == 2 and job.preview["rejected"] == 1
    assert not Member.objects.exists()  # the check writes nothing
    report: Any = client.get(reverse("members:import_report", kwargs={"pk": job.pk}))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    lines = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [line[0] for line in lines] == [5, 6]  # Excel's own row numbers
    assert lines[0][1] == "B 字号名称"
    client.post(reverse("members:import_commit", kwargs={"pk": job.pk}))
    run_jobs()
    job.refresh_from_db()
    assert job.state == ImportState.DONE and (job.created_count, job.rejected_count) == (2, 1)
    assert Member.objects.count() == 2
    assert "import-done" in client.get(response["Location"]).content.decode()


def test_stale_import_can_be_resumed(tree: Tree, people: People, settings):
    job = MemberImport.objects.create(
        unit=tree.shushan, original_name="x.xlsx", state=ImportState.IMPORTING
    )
    client = client_for(people.shushan_secretary)
    url = reverse("members:import_resume", kwargs={"pk": job.pk})
    client.post(url)
    assert AuditEntry.objects.filter(action="member.import.resume").count() == 0  # not stale
    MemberImport.objects.filter(pk=job.pk).update(
        created_at=job.created_at - datetime.timedelta(hours=1)
    )
    client.post(url)
    assert AuditEntry.objects.filter(action="member.import.resume").count() == 1


def test_csv_export_streams_masked_and_neutralised(tree: Tree, people: People):
    make_member(tree.shushan, business_name="=HYPERLINK(1)", phone="13812345678")
    make_member(tree.branch, business_name="普通商户", operator="-负责人")
    response: Any = client_for(people.viewer).get(
        reverse("members:export_csv", kwargs={"pk": tree.shushan.pk})
    )
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 3
    flat = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(1)" in flat and "'-负责人" in flat
    assert "138****5678" in flat and "13812345678" not in text
    assert (
        client_for(people.viewer)
        .get(reverse("members:export_csv", kwargs={"pk": tree.shushan.pk}), {"unmasked": "1"})
        .status_code
        == 403
    )
    unmasked: Any = client_for(people.shushan_secretary).get(
        reverse("members:export_csv", kwargs={"pk": tree.shushan.pk}), {"unmasked": "1"}
    )
    assert "13812345678" in b"".join(unmasked.streaming_content).decode()
    assert AuditEntry.objects.filter(action="member.export.unmasked").count() == 1


def test_xlsx_export_job_keeps_dates_and_guards_formulas(tree: Tree, people: People):
    make_member(tree.shushan, business_name="@SUM(A1)", join_date=datetime.date(2021, 3, 4))
    client = client_for(people.hefei_admin)
    response = client.post(
        reverse("members:export_start", kwargs={"pk": tree.hefei.pk}), {"file_format": "xlsx"}
    )
    job = MemberExport.objects.get()
    assert response["Location"] == reverse("members:export", kwargs={"pk": job.pk})
    run_jobs()
    download: Any = client.get(reverse("members:export_download", kwargs={"pk": job.pk}))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    row = list(next(sheet.iter_rows(min_row=2)))
    assert row[0].value == "@SUM(A1)" and row[0].data_type == "s" and row[0].quotePrefix
    assert row[9].value == datetime.datetime(2021, 3, 4)  # a date cell, not text
    # Someone else in the same area cannot fetch an unmasked file asked for by another.
    job.unmasked = True
    job.save()
    assert (
        client_for(people.national)
        .get(reverse("members:export_download", kwargs={"pk": job.pk}))
        .status_code
        == 404
    )


def test_export_command(tree: Tree, tmp_path: Path):
    make_member(tree.shushan, phone="13812345678", business_name="+命令行")
    out = io.StringIO()
    call_command("export_members", "--unit", "340104", "--format", "csv", stdout=out)
    # (the command writes to sys.stdout; captured below through --output)
    target = tmp_path / "m.csv"
    call_command("export_members", "--unit", "340104", "--format", "csv", "--output", str(target))
    text = target.read_text(encoding="utf-8")
    assert "138****5678" in text and "'+命令行" in text
    assert not AuditEntry.objects.filter(action="member.export.unmasked").exists()
    call_command(
        "export_members",
        "--unit",
        "340104",
        "--format",
        "xlsx",
        "--unmask",
        "--output",
        str(tmp_path / "m.xlsx"),
    )
    sheet = openpyxl.load_workbook(tmp_path / "m.xlsx").active
    assert sheet.cell(row=2, column=7).value == "13812345678"
    assert AuditEntry.objects.filter(action="member.export.unmasked").count() == 1


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_export_imports_back_unchanged(tree: Tree, people: People, tmp_path: Path, language):
    """Export → import gives every row unchanged: the headers are the import's own words, and
    masked ID numbers and phones keep the stored ones."""
    from jiceng.core.actor import Actor
    from jiceng.members.imports.service import run_inline

    number = id_number()
    make_member(tree.shushan, id_number=number, phone="13812345678", industry="批发和零售业")
    make_member(tree.branch, credit_code="", registration_number="340104600012345")
    client = client_for(people.shushan_secretary, language=language)
    response: Any = client.get(reverse("members:export_csv", kwargs={"pk": tree.shushan.pk}))
    path = tmp_path / "export.csv"
    path.write_bytes(b"".join(response.streaming_content))
    job = run_inline(actor=Actor(user=None), unit=tree.shushan, path=path, mode="valid-only")
    assert job.state == ImportState.DONE, job.failure_message
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 2)
    assert Member.objects.get(credit_code__startswith="92").id_number == number


def test_long_lists_count_only_up_to_a_cap(tree: Tree, people: People, monkeypatch):
    from jiceng.core.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 5)
    for i in range(7):
        make_member(tree.shushan, business_name=f"商户{i}")
    client = client_for(people.anhui_admin)
    html = client.get(reverse("members:list", kwargs={"pk": tree.anhui.pk})).content.decode()
    assert "5" in html and 'data-testid="member-count"' in html
    page = client.get(reverse("members:list", kwargs={"pk": tree.anhui.pk}))
    assert page.context["page"].paginator.capped
    assert page.context["page"].paginator.count == 5
    narrowed = client.get(reverse("members:list", kwargs={"pk": tree.anhui.pk}), {"q": "商户6"})
    assert not narrowed.context["page"].paginator.capped
    assert narrowed.context["page"].paginator.count == 1


def test_an_oversized_upload_is_refused_before_it_is_read(tree: Tree, people: People, settings):
    settings.MAX_IMPORT_BYTES = 1000
    client = client_for(people.shushan_secretary)
    url = reverse("members:import_upload", kwargs={"pk": tree.shushan.pk})
    body = io.BytesIO(b"x" * 200_000)
    body.name = "big.csv"
    response = client.post(url, {"file": body, "mode": "valid-only"})
    assert response.status_code == 200
    assert not MemberImport.objects.exists()
    assert "0.2 MB" in response.context["form"].errors["file"][0]


def test_the_edit_form_keeps_the_join_date_in_the_pickers_iso_format(tree, people):
    """A date picker shows only an ISO value; the Chinese locale's 2025/07/16 left it empty and
    an unchanged save erased the date."""
    import datetime

    from conftest import client_for
    from jiceng.members.tests.factories import make_member

    member = make_member(tree.shushan, join_date=datetime.date(2025, 7, 16))
    page = client_for(people.shushan_secretary).get(
        reverse("members:edit", kwargs={"pk": member.pk})
    )
    assert 'value="2025-07-16"' in page.content.decode()


def test_a_bad_filter_is_named_above_the_list_on_the_page_and_in_the_fragment(
    tree: Tree, people: People
):
    make_member(tree.shushan, business_name="蜀山老字号酱菜")
    client = client_for(people.shushan_secretary)
    url = reverse("members:list", kwargs={"pk": tree.shushan.pk})
    for headers in ({}, {"HX-Request": "true"}):
        body = client.get(url, {"status": "bogus"}, headers=headers).content.decode()
        assert 'data-testid="filter-error"' in body, headers
        assert "蜀山老字号酱菜" not in body and "没有符合条件的会员" not in body, headers


def test_a_bad_join_year_marks_its_field_and_shows_no_count(tree: Tree, people: People):
    make_member(tree.shushan, business_name="蜀山老字号酱菜")
    client = client_for(people.shushan_secretary)
    url = reverse("members:list", kwargs={"pk": tree.shushan.pk})
    body = client.get(url, {"join_year": "1800"}).content.decode()
    assert 'data-testid="filter-error"' in body
    assert 'data-testid="member-count"' not in body  # not "0 members": the list was not read
    start = body.index('id="id_join_year"') - 300
    assert "is-invalid" in body[start : start + 400]
    industry = body.index('id="id_industry"') - 300
    assert "is-invalid" not in body[industry : industry + 400]
