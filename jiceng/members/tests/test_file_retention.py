"""Files at rest (issue 9, item 5): exports and uploaded rosters expire and a job deletes them;
member exports are encrypted at rest and decrypted as they are streamed; files are no-store."""

import datetime
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import People, Tree, client_for
from jiceng.core.actor import Actor
from jiceng.core.jobs import purge_expired_files
from jiceng.core.tests.jobs import run_jobs
from jiceng.members.imports.service import member_import_start
from jiceng.members.models import (
    ExportState,
    ImportState,
    MemberExport,
    MemberImport,
)

from .factories import make_member
from .rosters import write_csv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_in_tmp")]

DAY = datetime.timedelta(days=1)


def _export(people: People, tree: Tree, *, age: datetime.timedelta) -> MemberExport:
    job = MemberExport.objects.create(
        unit=tree.shushan,
        created_by=people.shushan_secretary,
        file_format="csv",
        state=ExportState.DONE,
        finished_at=timezone.now() - age,
    )
    job.file.save("export.csv", ContentFile(b"a,b\n"), save=True)
    MemberExport.objects.filter(pk=job.pk).update(created_at=timezone.now() - age)
    return MemberExport.objects.get(pk=job.pk)


def _import(people: People, tree: Tree, *, age: datetime.timedelta, state: str) -> MemberImport:
    job = MemberImport.objects.create(
        unit=tree.shushan,
        created_by=people.shushan_secretary,
        original_name="roster.csv",
        state=state,
    )
    job.file.save("roster.csv", ContentFile("字号名称\n张三小吃店\n".encode()), save=True)
    MemberImport.objects.filter(pk=job.pk).update(created_at=timezone.now() - age)
    return MemberImport.objects.get(pk=job.pk)


def test_expired_exports_and_rosters_are_deleted_and_the_rest_kept(
    tree: Tree, people: People, settings
):
    settings.FILE_RETENTION_SECONDS = 24 * 3600
    old_export = _export(people, tree, age=DAY + datetime.timedelta(minutes=1))
    new_export = _export(people, tree, age=datetime.timedelta(hours=23))
    failed = _import(people, tree, age=2 * DAY, state=ImportState.FAILED)
    waiting = _import(people, tree, age=2 * DAY, state=ImportState.PREVIEWED)
    fresh = _import(people, tree, age=datetime.timedelta(hours=1), state=ImportState.MAPPING)
    gone = [str(j.file.name) for j in (old_export, failed, waiting)]
    kept = [str(j.file.name) for j in (new_export, fresh)]

    out = io.StringIO()
    call_command("purge_expired_files", stdout=out)

    assert not any(default_storage.exists(name) for name in gone)
    assert all(default_storage.exists(name) for name in kept)
    for job in (old_export, failed, waiting):
        job.refresh_from_db()
        assert not job.file
    assert "3" in out.getvalue()
    # Idempotent: a second run finds nothing more to do and fails on nothing.
    assert purge_expired_files() == 0
    assert all(default_storage.exists(name) for name in kept)


def test_a_purge_interrupted_after_deleting_the_file_finishes_on_the_next_run(
    tree: Tree, people: People
):
    job = _import(people, tree, age=2 * DAY, state=ImportState.DONE)
    default_storage.delete(str(job.file.name))  # the crash: file gone, the row still names it
    assert purge_expired_files() == 1
    job.refresh_from_db()
    assert not job.file


def test_orphan_files_left_by_a_crash_are_deleted_once_expired(media_in_tmp: Path):
    old = default_storage.save("imports/7/orphan.csv", ContentFile(b"x"))
    young = default_storage.save("exports/7/orphan.bin", ContentFile(b"x"))
    stamp = (timezone.now() - 2 * DAY).timestamp()
    import os

    os.utime(default_storage.path(old), (stamp, stamp))
    purge_expired_files()
    assert not default_storage.exists(old)
    assert default_storage.exists(young)


def test_a_running_import_keeps_its_file(tree: Tree, people: People):
    job = _import(people, tree, age=2 * DAY, state=ImportState.IMPORTING)
    MemberImport.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    assert purge_expired_files() == 0
    assert default_storage.exists(str(job.file.name))


def test_each_upload_and_export_queues_the_purge_for_its_expiry(
    tree: Tree, people: People, tmp_path: Path, settings
):
    settings.FILE_RETENTION_SECONDS = 3600
    path = write_csv(tmp_path / "r.csv", [["张三小吃店"]], header=["字号名称"])
    with path.open("rb") as handle:
        member_import_start(
            actor=Actor(user=people.shushan_secretary),
            unit=tree.shushan,
            upload=handle,
            name="r.csv",
        )
    client_for(people.shushan_secretary).post(
        reverse("members:export_start", kwargs={"pk": tree.shushan.pk}), {"file_format": "xlsx"}
    )
    purges = DBTaskResult.objects.filter(task_path="jiceng.core.tasks.purge_expired_files")
    assert purges.count() == 2
    for result in purges:
        assert result.run_after is not None
        delay = (result.run_after - timezone.now()).total_seconds()
        assert 3500 < delay <= 3601


def test_the_pages_of_expired_jobs_say_so(tree: Tree, people: People):
    export = _export(people, tree, age=2 * DAY)
    roster = _import(people, tree, age=2 * DAY, state=ImportState.PREVIEWED)
    purge_expired_files()
    client = client_for(people.shushan_secretary, language="en")
    page = client.get(reverse("members:export", kwargs={"pk": export.pk}))
    assert page.status_code == 200
    assert b"expired" in page.content and b"export-download" not in page.content
    assert (
        client.get(reverse("members:export_download", kwargs={"pk": export.pk})).status_code == 404
    )
    page = client.get(reverse("members:import", kwargs={"pk": roster.pk}))
    assert page.status_code == 200
    assert b"expired" in page.content
    assert b'data-testid="commit"' not in page.content


def test_member_exports_are_encrypted_at_rest_and_served_in_the_clear_with_no_store(
    tree: Tree, people: People
):
    make_member(tree.shushan, business_name="张三小吃店", phone="13812345678")
    client = client_for(people.shushan_secretary)
    client.post(
        reverse("members:export_start", kwargs={"pk": tree.shushan.pk}),
        {"file_format": "xlsx", "unmasked": "on"},
    )
    run_jobs()
    job = MemberExport.objects.get()
    assert job.state == ExportState.DONE and job.unmasked
    with job.file.open("rb") as handle:
        stored = handle.read()
    assert not stored.startswith(b"PK")  # not a readable workbook on disk
    assert "张三小吃店".encode() not in stored and b"13812345678" not in stored
    response: Any = client.get(reverse("members:export_download", kwargs={"pk": job.pk}))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert ["13812345678" in [c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [True]


def test_a_tampered_export_is_not_served(tree: Tree, people: People):
    make_member(tree.shushan, business_name="张三小吃店")
    client = client_for(people.shushan_secretary)
    client.post(
        reverse("members:export_start", kwargs={"pk": tree.shushan.pk}), {"file_format": "csv"}
    )
    run_jobs()
    job = MemberExport.objects.get()
    path = Path(job.file.path)
    data = bytearray(path.read_bytes())
    data[-5] ^= 1
    path.write_bytes(bytes(data))
    response: Any = client.get(reverse("members:export_download", kwargs={"pk": job.pk}))
    with pytest.raises(Exception):  # noqa: B017  (the authentication tag fails)
        b"".join(response.streaming_content)
