"""The roster import: every kind of messy input the issue names, every rule, and durability."""

import datetime
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from conftest import People, Tree
from jiceng.core.actor import Actor
from jiceng.core.models import AuditEntry
from jiceng.members import crypto
from jiceng.members.imports import pipeline
from jiceng.members.imports.errors import UnusableInput
from jiceng.members.imports.problems import render
from jiceng.members.imports.service import run_commit, run_inline
from jiceng.members.models import ImportMode, ImportState, Member, MemberImport, MemberStatus

from .factories import credit_code, id_number, make_member
from .rosters import HEADER, write_csv, write_xls, write_xlsx

pytestmark = pytest.mark.django_db

CODE_A = credit_code("92")
CODE_B = credit_code("92")
CODE_C = credit_code("91")
ID_A = id_number()


def fullwidth(text: str) -> str:
    return text.translate(
        str.maketrans(
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ",
        )
    )


def messy_rows() -> list[list[Any]]:
    """Data rows below the header (the header is Excel row 4: title, blank, header)."""
    return [
        [1, "  张三小吃店 ", "张三", CODE_A, ID_A, 13800138000.0, datetime.date(2023, 5, 6)],
        [2, "李四五金店", "李四", fullwidth(CODE_B), "", "138 0013 8001", "2023.5.6"],
        [],  # a blank row in the middle
        [3, "王五贸易有限公司", "王五", CODE_C, "", "0551-63456789", "2023年5月6日"],
        [4, "赵六理发店", "赵六", "", "", "13800138003", "2023/05/06"],
        [5, "孙七水果摊", "孙七", "", "", "13800138004", 45052],  # an Excel serial number
        ["合计", "", "", "", "", "", ""],
    ]


def run(
    path: Path,
    unit: Any,
    *,
    mode: str = ImportMode.VALID_ONLY,
    user: Any = None,
    default_type: str = "",
) -> MemberImport:
    return run_inline(
        actor=Actor(user=user),
        unit=unit,
        path=path,
        mode=mode,
        default_member_type=default_type,
    )


def problems(job: MemberImport) -> list[tuple[int, str, str]]:
    return list(job.problems.filter(phase="commit").values_list("row", "field", "code"))


def test_messy_workbook_imports_every_member(tree: Tree, tmp_path: Path):
    path = write_xlsx(tmp_path / "roster.xlsx", messy_rows())
    job = run(path, tree.shushan, default_type="individual")
    assert job.state == ImportState.DONE
    assert job.header_row == 3  # merged title (1), a blank row (2), the header (3)
    assert (job.created_count, job.rejected_count, job.skipped_count) == (5, 0, 2)
    members = {m.business_name: m for m in Member.objects.filter(unit=tree.shushan)}
    zhang = members["张三小吃店"]
    assert zhang.phone == "13800138000"  # the float lost its .0
    assert zhang.id_number == ID_A and zhang.id_number_index == crypto.blind_index(ID_A)
    assert zhang.id_number_encrypted is not None
    assert ID_A.encode() not in bytes(zhang.id_number_encrypted)  # encrypted at rest
    assert members["李四五金店"].credit_code == CODE_B  # full-width digits and letters
    assert members["李四五金店"].phone == "13800138001"
    assert members["王五贸易有限公司"].member_type == "enterprise"  # from its 91 credit code
    assert members["王五贸易有限公司"].phone == "0551-63456789"
    for member in members.values():
        assert member.join_date == datetime.date(2023, 5, 6), member.business_name
        assert member.province_id == tree.anhui.pk and member.grassroots_id == tree.shushan.pk


def test_a_row_whose_type_cannot_be_told_is_rejected(tree: Tree, tmp_path: Path):
    """赵六 and 孙七 have no credit code and the file no type column: without a default type
    for such rows they are rejected; the coded rows take their type from the code."""
    job = run(write_xlsx(tmp_path / "roster.xlsx", messy_rows()), tree.shushan)
    assert (job.created_count, job.rejected_count) == (3, 2)
    assert set(problems(job)) == {
        (8, "member_type", "missing_member_type"),
        (9, "member_type", "missing_member_type"),
    }


def test_errors_name_the_row_column_and_reason(tree: Tree, people: People, tmp_path: Path):
    rows = [
        [1, "", "无名", CODE_A, "", "13800138000", "2023-01-01"],  # row 4: no name
        [2, "坏代码商店", "甲", "91350100M000100Y4Z", "", "13800138000", "2023-01-01"],  # 5
        [3, "坏证件商店", "乙", "", "110105194912310021", "13800138000", "2023-01-01"],  # 6
        [4, "第一次", "丙", CODE_B, "", "13800138000", "2023-01-01"],  # 7
        [5, "第二次", "丁", CODE_B, "", "13800138000", "2023-01-01"],  # 8: duplicate of row 7
        [6, "未知类型", "戊", "", "", "13800138000", "2023-01-01", "合作社"],  # 9
        [7, "怪电话", "己", credit_code("92"), "", "12345", "2023-01-01"],  # 10: warning
        [8, "类型不符", "庚", credit_code("91"), "", "13800138000", "2023-01-01", "个体工商户"],
        [9, "没有日期", "辛", credit_code("92"), "", "13800138000", ""],  # 12: warning
    ]
    header = [*HEADER, "会员类型"]
    job = run(
        write_xlsx(tmp_path / "r.xlsx", rows, header=header),
        tree.shushan,
        user=people.shushan_secretary,
    )
    found = problems(job)
    assert (4, "business_name", "missing_name") in found
    assert (5, "credit_code", "invalid_credit_code") in found
    assert (6, "id_number", "invalid_id_number") in found
    assert (8, "credit_code", "duplicate_in_file") in found
    assert (9, "member_type", "unknown_member_type") in found
    assert (10, "phone", "invalid_phone") in found
    assert (11, "credit_code", "credit_code_type_mismatch") in found
    assert (12, "join_date", "missing_join_date") in found
    assert job.rejected_count == 5 and job.created_count == 4 and job.warning_count == 3
    names = set(Member.objects.values_list("business_name", flat=True))
    assert names == {"第一次", "怪电话", "类型不符", "没有日期"}
    flagged = Member.objects.get(business_name="怪电话")
    assert flagged.flags == ["invalid_phone"] and flagged.phone == "12345"
    assert Member.objects.get(business_name="类型不符").flags == ["credit_code_type_mismatch"]
    # The messages say what and where, with the right value to use.
    bad_code = job.problems.get(row=5, field="credit_code")
    assert bad_code.column == "D 统一社会信用代码"
    assert "“3”" in render(bad_code.code, bad_code.params)
    dup = job.problems.get(row=8)
    assert "row 7" in render(dup.code, dup.params)
    # A wrong ID number is never kept in the clear, not even in the report.
    bad_id = job.problems.get(row=6, field="id_number")
    assert "110105194912310021" not in json.dumps([bad_id.value, bad_id.params])


def test_reimport_creates_nothing_twice_and_updates_changes(tree: Tree, tmp_path: Path):
    rows = messy_rows()
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    run(path, tree.shushan, default_type="individual")
    assert Member.objects.count() == 5
    again = run(path, tree.shushan, default_type="individual")
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 5)
    rows[0][5] = "13900139000"  # 张三 changed phone
    rows[4][1] = "赵六理发店"  # unchanged, no code: matched by name and operator
    changed = run(write_xlsx(tmp_path / "r2.xlsx", rows), tree.shushan, default_type="individual")
    assert (changed.created_count, changed.updated_count, changed.unchanged_count) == (0, 1, 4)
    assert Member.objects.get(credit_code=CODE_A).phone == "13900139000"
    assert Member.objects.count() == 5


def test_blank_cells_never_erase(tree: Tree, tmp_path: Path):
    run(write_xlsx(tmp_path / "a.xlsx", messy_rows()[:1]), tree.shushan)
    row = messy_rows()[0]
    row[5] = ""  # the phone left blank in the next roster
    run(write_xlsx(tmp_path / "b.xlsx", [row]), tree.shushan)
    assert Member.objects.get(credit_code=CODE_A).phone == "13800138000"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding(tree: Tree, tmp_path: Path, encoding: str):
    rows = [r for r in messy_rows() if r and r[0] != "合计"]
    rows.insert(1, ["", "", "", "", "", "", ""])
    rows.append(["合计", "", "", "", "", "", ""])
    rows = [[v.isoformat() if isinstance(v, datetime.date) else v for v in r] for r in rows]
    rows[0][5] = "13800138000.0"
    path = write_csv(tmp_path / "r.csv", rows, encoding=encoding)
    job = run(path, tree.shushan, default_type="individual")
    assert job.file_format == "csv"
    assert (job.created_count, job.rejected_count, job.skipped_count) == (5, 0, 2)
    assert Member.objects.get(credit_code=CODE_A).phone == "13800138000"
    # Line numbers with the header as line 1.
    bad = write_csv(
        tmp_path / "bad.csv",
        [["1", "", "x", "", "", "", ""], ["2", "好店", "y", "", "", "", ""]],
        encoding=encoding,
    )
    job = run(bad, tree.shushan, default_type="individual")
    assert (2, "business_name", "missing_name") in problems(job)


def test_old_xls_workbook(tree: Tree, tmp_path: Path):
    rows = [r for r in messy_rows() if r]
    job = run(write_xls(tmp_path / "r.xls", rows), tree.shushan, default_type="individual")
    assert job.file_format == "xls"
    assert (job.created_count, job.skipped_count) == (5, 1)
    assert Member.objects.get(credit_code=CODE_A).join_date == datetime.date(2023, 5, 6)


def test_header_words_vary(tree: Tree, tmp_path: Path):
    header = ["编号", "商户名称（必填）", "负责人", "信用代码", "手机号码", "入会日期", "会员类别"]
    rows = [[1, "甲店", "甲", CODE_A, 13800138000.0, "2020-1-1", "个体户"]]
    job = run(write_xlsx(tmp_path / "r.xlsx", rows, header=header, title=None), tree.shushan)
    assert job.mapping == {
        "1": "business_name",
        "2": "operator",
        "3": "credit_code",
        "4": "phone",
        "5": "join_date",
        "6": "member_type",
    }
    assert job.created_count == 1


def test_sub_unit_column_places_members_in_branches(tree: Tree, tmp_path: Path):
    header = [*HEADER, "所属分会"]
    rows = [
        [1, "甲店", "甲", CODE_A, "", "", "2020-1-1", "蜀山区城关分会"],
        [2, "乙店", "乙", CODE_B, "", "", "2020-1-1", "340104001001"],
        [3, "丙店", "丙", credit_code(), "", "", "2020-1-1", "不存在的分会"],
    ]
    job = run(write_xlsx(tmp_path / "r.xlsx", rows, header=header), tree.shushan)
    assert Member.objects.get(credit_code=CODE_A).unit == tree.branch
    assert Member.objects.get(credit_code=CODE_B).unit == tree.group
    assert (6, "unit", "unknown_unit") in problems(job)


def test_all_or_nothing_imports_nothing_when_a_row_is_bad(tree: Tree, tmp_path: Path):
    rows = [*messy_rows()[:2], [9, "", "x", "", "", "", "2020-1-1"]]
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    job = run(path, tree.shushan, mode=ImportMode.ALL_OR_NOTHING)
    assert job.state == ImportState.REFUSED
    assert Member.objects.count() == 0
    assert (6, "business_name", "missing_name") in problems(job)
    assert job.created_count == 0 and job.rejected_count == 1
    good = run(
        write_xlsx(tmp_path / "g.xlsx", messy_rows()[:2]),
        tree.shushan,
        mode=ImportMode.ALL_OR_NOTHING,
    )
    assert good.state == ImportState.DONE and Member.objects.count() == 2


def test_credit_code_held_elsewhere_is_named_only_to_those_who_may_see_it(
    tree: Tree, people: People, tmp_path: Path
):
    make_member(tree.xuanwu, credit_code=CODE_A, business_name="玄武某店")
    make_member(tree.baohe, credit_code=CODE_B, business_name="包河某店")
    rows = [
        [1, "甲店", "甲", CODE_A, "", "", "2020-1-1"],
        [2, "乙店", "乙", CODE_B, "", "", "2020-1-1"],
    ]
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    job = run(path, tree.shushan, user=people.hefei_admin)
    taken = {p.row: render(p.code, p.params) for p in job.problems.filter(code="credit_code_taken")}
    # 南京 is not hefei's: the import says only that the code cannot be used (issue 9, 17).
    assert "cannot be used" in taken[4]
    for telling in ("玄武", "南京", "outside your", "another association", "already registered"):
        assert telling not in taken[4], telling
    assert "包河区个私协会" in taken[5] and "包河某店" in taken[5]  # a sibling under 合肥
    # The probe is counted as the member form counts one: what, how often, never the code.
    probe = AuditEntry.objects.get(action="security.existence_probe")
    assert probe.actor == people.hefei_admin and probe.unit == tree.shushan
    assert probe.after == {"what": "credit_code", "count": 1}
    assert CODE_A not in json.dumps([probe.before, probe.after, probe.object_repr])
    assert Member.objects.filter(unit=tree.shushan).count() == 0
    # A member who left frees the code.
    Member.objects.filter(credit_code=CODE_A).update(status=MemberStatus.LEFT)
    assert run(path, tree.shushan, user=people.hefei_admin).created_count == 1


def test_unusable_input_changes_nothing(tree: Tree, tmp_path: Path):
    cases = {
        "not_a_spreadsheet": tmp_path / "photo.xlsx",
        "no_header": tmp_path / "noheader.xlsx",
        "empty_sheet": tmp_path / "blank.xlsx",
        "zip_bomb": tmp_path / "bomb.xlsx",
    }
    cases["not_a_spreadsheet"].write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 100)
    write_xlsx(cases["no_header"], [[1, 2, 3]], header=["甲", "乙", "丙"])
    write_xlsx(cases["empty_sheet"], [], header=[""], title=None, blank_rows_above=0)
    with zipfile.ZipFile(cases["zip_bomb"], "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("xl/workbook.xml", "<workbook/>")
        with bomb.open("xl/worksheets/sheet1.xml", "w") as entry:
            for _ in range(60):
                entry.write(b"\x00" * (1 << 20))
    for code, path in cases.items():
        job = run(path, tree.shushan)
        assert (job.state, job.failure_code) == (ImportState.FAILED, code), path.name
    assert Member.objects.count() == 0
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(UnusableInput) as exc:
        run(empty, tree.shushan)
    assert exc.value.code == "empty_file"


@override_settings(MAX_IMPORT_BYTES=1000)
def test_upload_size_limit(tree: Tree, tmp_path: Path):
    path = write_csv(tmp_path / "big.csv", [[i, f"店{i}", "", "", "", "", ""] for i in range(200)])
    with pytest.raises(UnusableInput) as exc:
        run(path, tree.shushan)
    assert exc.value.code == "too_large"
    assert not MemberImport.objects.exists()  # refused before anything was stored


def test_a_killed_import_resumes_to_the_same_end_state(
    tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    rows = [
        [i, f"商户{i}", "经营者", credit_code(), "", "13800138000", "2022-1-1"] for i in range(50)
    ]
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    monkeypatch.setattr(pipeline, "BATCH_ROWS", 7)
    real_insert = pipeline.bulk.insert_rows
    calls = {"n": 0}

    def dies_on_the_fourth_batch(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 4:
            real_insert(*args, **kwargs)  # the batch is written, then the process "dies"
            raise KeyboardInterrupt
        real_insert(*args, **kwargs)

    monkeypatch.setattr(pipeline.bulk, "insert_rows", dies_on_the_fourth_batch)
    with pytest.raises(KeyboardInterrupt):
        run(path, tree.shushan)
    job = MemberImport.objects.get()
    assert job.state == ImportState.IMPORTING  # left running, as a killed worker leaves it
    assert Member.objects.count() == 21 == job.created_count  # three whole batches, no half
    assert job.checkpoint_row == 3 + 21
    monkeypatch.setattr(pipeline.bulk, "insert_rows", real_insert)
    run_commit(job, actor=Actor.system())
    job.refresh_from_db()
    assert job.state == ImportState.DONE
    assert (job.created_count, job.rejected_count) == (50, 0)
    assert Member.objects.count() == 50
    assert sorted(Member.objects.values_list("business_name", flat=True)) == sorted(
        f"商户{i}" for i in range(50)
    )


@pytest.mark.django_db(transaction=True)
def test_writer_process_commits_batches_survives_a_kill_and_resumes(
    tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A large import outside a transaction writes in a second process, one batch behind the
    reader. Killing that process mid-import leaves whole batches and a checkpoint; running the
    job again completes it with nothing twice."""
    from jiceng.members.imports import sinks

    rows = [
        [i, f"商户{i}", "经营者", credit_code(), "", "13800138000", "2022-1-1"] for i in range(40)
    ]
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    monkeypatch.setattr(pipeline, "BATCH_ROWS", 6)
    monkeypatch.setattr(sinks, "PROCESS_MIN_ROWS", 0)
    real_put = sinks.WriterProcess.put
    puts = {"n": 0}

    def killed_after_three_batches(self: Any, *args: Any, **kwargs: Any) -> None:
        puts["n"] += 1
        if puts["n"] == 4:
            import time

            deadline = time.monotonic() + 20  # let it write a batch or two, then kill it
            while not MemberImport.objects.filter(checkpoint_row__gt=0).exists():
                assert time.monotonic() < deadline, "the writer process wrote nothing"
                time.sleep(0.05)
            self.process.kill()
            self.process.wait()
        real_put(self, *args, **kwargs)

    monkeypatch.setattr(sinks.WriterProcess, "put", killed_after_three_batches)
    with pytest.raises(sinks.WriterFailed) as failed:
        run(path, tree.shushan)
    assert "ended" in str(failed.value)
    job = MemberImport.objects.get()
    assert job.state == ImportState.IMPORTING  # left running, as a killed worker leaves it
    written = Member.objects.count()
    assert written == job.created_count and written % 6 == 0 and 6 <= written <= 18
    assert job.checkpoint_row == 3 + written
    monkeypatch.setattr(sinks.WriterProcess, "put", real_put)
    run_commit(job, actor=Actor.system())
    job.refresh_from_db()
    assert (job.state, job.created_count) == (ImportState.DONE, 40)
    assert Member.objects.count() == 40
    # All-or-nothing through the writer process: one bad row rolls back every batch written.
    fresh = [[i, f"新商户{i}", "经营者", credit_code(), "", "", "2022-1-1"] for i in range(40)]
    path = write_xlsx(tmp_path / "bad.xlsx", [*fresh, [99, "", "x", "", "", "", "2022-1-1"]])
    job = run(path, tree.baohe, mode=ImportMode.ALL_OR_NOTHING)
    assert (job.state, job.rejected_count) == (ImportState.REFUSED, 1)
    assert not Member.objects.filter(unit=tree.baohe).exists()
    assert job.problems.filter(phase="commit", code="missing_name").count() == 1
    job = run(write_xlsx(tmp_path / "good.xlsx", fresh), tree.baohe, mode=ImportMode.ALL_OR_NOTHING)
    assert job.state == ImportState.DONE
    assert Member.objects.filter(unit=tree.baohe).count() == 40


def test_a_killed_all_or_nothing_import_writes_nothing(
    tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    rows = [[i, f"商户{i}", "经营者", credit_code(), "", "", "2022-1-1"] for i in range(30)]
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    monkeypatch.setattr(pipeline, "BATCH_ROWS", 7)
    real_insert = pipeline.bulk.insert_rows
    calls = {"n": 0}

    def dies(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        real_insert(*args, **kwargs)
        if calls["n"] == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(pipeline.bulk, "insert_rows", dies)
    with pytest.raises(KeyboardInterrupt):
        run(path, tree.shushan, mode=ImportMode.ALL_OR_NOTHING)
    assert Member.objects.count() == 0
    monkeypatch.setattr(pipeline.bulk, "insert_rows", real_insert)
    job = MemberImport.objects.get()
    run_commit(job, actor=Actor.system())
    assert Member.objects.count() == 30


def test_one_audit_entry_per_import_with_the_file_hash(tree: Tree, tmp_path: Path):
    job = run(
        write_xlsx(tmp_path / "r.xlsx", messy_rows()), tree.shushan, default_type="individual"
    )
    entries = AuditEntry.objects.filter(action="member.import")
    assert entries.count() == 1
    after: Any = entries.get().after
    assert after["sha256"] == job.file_sha256 and after["created"] == 5
    assert not AuditEntry.objects.filter(action="member.create").exists()


# --- the command line ---------------------------------------------------------------------------


def call(*args: str) -> tuple[int, dict[str, Any]]:
    import io

    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("import_members", *args, "--json", "--language", "en", stdout=out)
    return int(exc.value.code or 0), json.loads(out.getvalue())


def test_command_json_and_exit_codes(tree: Tree, tmp_path: Path):
    path = write_xlsx(
        tmp_path / "r.xlsx", [*messy_rows()[:2], [3, "", "x", "", "", "", "2020-1-1"]]
    )
    code, data = call(str(path), "--unit", "340104")
    assert code == 0
    assert set(data) == {"created", "updated", "unchanged", "rejected", "errors", "warnings"}
    assert (data["created"], data["rejected"]) == (2, 1)
    assert data["errors"][0] == {
        "row": 6,
        "field": "business_name",
        "code": "missing_name",
        "message": "The business name is missing.",
    }
    assert [e["code"] for e in data["errors"]] == ["missing_name", "missing_member_type"]
    code, data = call(str(path), "--unit", "340104", "--mode", "all-or-nothing")
    assert code == 1 and data["created"] == 0 and data["unchanged"] == 0
    code, data = call(str(path), "--unit", "999999")
    assert code == 2 and data["errors"][0]["code"] == "unknown_unit"
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01binary")
    code, data = call(str(junk), "--unit", "340104")
    assert code == 2 and data["errors"][0]["code"] == "not_a_spreadsheet"
