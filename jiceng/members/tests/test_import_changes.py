"""An import that changes existing members says so first, lets the user choose, and leaves the
old values in each member's history (issue 9, item 11)."""

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from conftest import People, Tree, client_for
from jiceng.core.actor import Actor
from jiceng.core.models import AuditEntry
from jiceng.core.tests.jobs import run_jobs
from jiceng.members.imports.service import member_import_configure, member_import_start, run_inline
from jiceng.members.models import ImportMode, ImportState, Member, MemberImport

from .factories import credit_code, id_number, make_member
from .rosters import write_csv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_in_tmp")]

CODE = credit_code("92")
OLD_ID = id_number()
NEW_ID = id_number()
HEADER = [
    "字号名称",
    "经营者",
    "统一社会信用代码",
    "身份证号码",
    "联系电话",
    "经营场所",
    "入会时间",
]


def _existing(tree: Tree) -> Member:
    return make_member(
        tree.shushan,
        business_name="老张小吃店",
        operator="张三",
        credit_code=CODE,
        id_number=OLD_ID,
        phone="13800138000",
        address="旧址路1号",
    )


def _roster(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "roster.csv",
        [
            ["新张小吃店", "张三", CODE, NEW_ID, "13900139000", "新址路2号", "2023-05-06"],
            ["李四五金店", "李四", "", "", "13700137000", "", "2023-05-06"],
        ],
        header=HEADER,
    )


def _previewed(tree: Tree, people: People, tmp_path: Path) -> MemberImport:
    actor = Actor(user=people.shushan_secretary)
    with _roster(tmp_path).open("rb") as handle:
        job = member_import_start(actor=actor, unit=tree.shushan, upload=handle, name="roster.csv")
    run_jobs()
    job.refresh_from_db()
    member_import_configure(
        actor=actor,
        job=job,
        mapping={int(i): f for i, f in job.mapping.items()},
        mode=ImportMode.VALID_ONLY,
        default_member_type="individual",
    )
    run_jobs()
    job.refresh_from_db()
    assert job.state == ImportState.PREVIEWED
    return job


def test_the_preview_lists_each_member_that_will_change_field_by_field(
    tree: Tree, people: People, tmp_path: Path
):
    member = _existing(tree)
    job = _previewed(tree, people, tmp_path)
    assert job.preview["updated"] == 1 and job.preview["created"] == 1
    client = client_for(people.shushan_secretary, language="en")
    html = client.get(reverse("members:import", kwargs={"pk": job.pk})).content.decode()
    assert 'data-testid="import-changes"' in html
    changes = html[html.index('data-testid="import-changes"') :]
    assert "老张小吃店" in changes and "新张小吃店" in changes
    assert "旧址路1号" in changes and "新址路2号" in changes
    assert f'href="{reverse("members:detail", kwargs={"pk": member.pk})}"' in changes
    # Personal fields are shown masked, never in the clear.
    assert "138****8000" in changes and "139****9000" in changes
    assert "13900139000" not in html and "13800138000" not in html
    assert NEW_ID not in html and OLD_ID not in html
    assert 'name="existing"' in html
    member.refresh_from_db()
    assert member.business_name == "老张小吃店"  # the check writes nothing


def test_committing_with_changes_asks_to_choose(tree: Tree, people: People, tmp_path: Path):
    _existing(tree)
    job = _previewed(tree, people, tmp_path)
    client = client_for(people.shushan_secretary, language="en")
    client.post(reverse("members:import_commit", kwargs={"pk": job.pk}))
    job.refresh_from_db()
    assert job.state == ImportState.PREVIEWED


def test_skip_existing_leaves_them_as_they_are(tree: Tree, people: People, tmp_path: Path):
    member = _existing(tree)
    job = _previewed(tree, people, tmp_path)
    client = client_for(people.shushan_secretary)
    client.post(reverse("members:import_commit", kwargs={"pk": job.pk}), {"existing": "skip"})
    run_jobs()
    job.refresh_from_db()
    assert job.state == ImportState.DONE
    assert (job.created_count, job.updated_count, job.unchanged_count) == (1, 0, 1)
    member.refresh_from_db()
    assert (member.business_name, member.phone) == ("老张小吃店", "13800138000")
    assert not AuditEntry.objects.filter(
        object_type="members.member", object_id=str(member.pk), action="member.import"
    )


def test_updated_members_keep_their_old_values_in_their_history(
    tree: Tree, people: People, tmp_path: Path
):
    member = _existing(tree)
    job = _previewed(tree, people, tmp_path)
    client = client_for(people.shushan_secretary, language="en")
    client.post(reverse("members:import_commit", kwargs={"pk": job.pk}), {"existing": "update"})
    run_jobs()
    job.refresh_from_db()
    assert job.state == ImportState.DONE and job.updated_count == 1
    member.refresh_from_db()
    assert (member.business_name, member.phone) == ("新张小吃店", "13900139000")
    entry: Any = AuditEntry.objects.get(
        object_type="members.member", object_id=str(member.pk), action="member.import"
    )
    assert entry.actor == people.shushan_secretary and entry.unit_id == member.unit_id
    assert entry.before["business_name"] == "老张小吃店"
    assert entry.after["business_name"] == "新张小吃店"
    assert entry.before["phone"] == "138****8000" and entry.after["phone"] == "139****9000"
    stored = str(entry.before) + str(entry.after)
    assert "13800138000" not in stored and OLD_ID not in stored and NEW_ID not in stored
    history = client.get(reverse("members:detail", kwargs={"pk": member.pk})).content.decode()
    assert "老张小吃店" in history and "Import members" in history
    assert "13800138000" not in history


def test_the_command_line_import_also_records_each_members_old_values(tree: Tree, tmp_path: Path):
    member = _existing(tree)
    job = run_inline(
        actor=Actor.system(),
        unit=tree.shushan,
        path=_roster(tmp_path),
        mode=ImportMode.VALID_ONLY,
        default_member_type="individual",
    )
    assert job.updated_count == 1
    entry: Any = AuditEntry.objects.get(
        object_type="members.member", object_id=str(member.pk), action="member.import"
    )
    assert entry.before["address"] == "旧址路1号" and entry.after["address"] == "新址路2号"


def test_the_check_counts_a_code_held_outside_the_area_as_a_probe(
    tree: Tree, people: People, tmp_path: Path
):
    make_member(tree.xuanwu, credit_code=CODE, business_name="玄武某店")  # 南京: not shushan's
    job = _previewed(tree, people, tmp_path)
    assert job.preview["rejected"] == 1 and job.preview["updated"] == 0
    client = client_for(people.shushan_secretary, language="en")
    html = client.get(reverse("members:import", kwargs={"pk": job.pk})).content.decode()
    assert "cannot be used" in html and "玄武" not in html
    probe = AuditEntry.objects.get(action="security.existence_probe")
    assert probe.actor == people.shushan_secretary and probe.unit == tree.shushan
    assert probe.after == {"what": "credit_code", "count": 1}
    assert CODE not in str([probe.before, probe.after, probe.object_repr])
