"""Recognition: honours and media reports, their files and their yearly counts."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from conftest import People, Tree
from jiceng.activities import selectors, services
from jiceng.activities.models import Honour, MediaReport
from jiceng.core.actor import Actor
from jiceng.core.errors import ConflictError, ForbiddenAction
from jiceng.core.models import AuditEntry
from jiceng.core.tests.uploads import docx_upload, exe_upload, pdf_upload, zip_upload

from .helpers import SYSTEM


def commend(unit, **extra):
    data = {
        "title": "先进基层协会",
        "level": "provincial",
        "issuer": "安徽省个私协会",
        "date": datetime.date(2024, 5, 1),
    }
    data.update(extra)
    return services.honour_create(actor=SYSTEM, unit=unit, data=data)


def report(unit, **extra):
    data = {
        "outlet": "合肥日报",
        "date": datetime.date(2024, 6, 1),
        "title": "做好个体工商户的娘家人",
        "url": "https://news.example.com/1.html",
    }
    data.update(extra)
    return services.media_report_create(actor=SYSTEM, unit=unit, data=data)


def test_honour_with_and_without_a_document(tree: Tree):
    plain = commend(tree.shushan)
    assert not plain.document
    with_file = commend(tree.shushan, document=pdf_upload("证书.pdf"))
    assert with_file.document.name.startswith(f"honours/{tree.shushan.pk}/")
    assert AuditEntry.objects.filter(action="recognition.honour.create").count() == 2


def test_a_honour_document_must_be_a_document(tree: Tree):
    with pytest.raises(ValidationError) as exc:
        commend(tree.shushan, document=exe_upload())
    assert "document" in exc.value.message_dict
    assert not Honour.objects.exists()


def test_a_report_needs_a_link_or_a_scan(tree: Tree):
    with pytest.raises(ValidationError) as exc:
        report(tree.shushan, url="")
    assert "url" in exc.value.message_dict
    scan_only = report(tree.shushan, url="", scan=pdf_upload("剪报.pdf"))
    assert scan_only.scan
    # Removing the scan of a report without a link would leave nothing: refused.
    with pytest.raises(ValidationError):
        services.media_report_update(
            actor=SYSTEM, report=scan_only, data={"scan": False}, expected_lock_version=1
        )
    assert MediaReport.objects.get(pk=scan_only.pk).scan


def test_removing_a_file_on_edit(tree: Tree, django_capture_on_commit_callbacks):
    item = commend(tree.shushan, document=pdf_upload())
    name, storage = item.document.name, item.document.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.honour_update(
            actor=SYSTEM, honour=item, data={"document": False}, expected_lock_version=1
        )
    assert not Honour.objects.get(pk=item.pk).document
    assert not storage.exists(name)


def test_stale_edits_and_deletes_are_refused(tree: Tree):
    item = report(tree.shushan)
    stale = MediaReport.objects.get(pk=item.pk)
    services.media_report_update(
        actor=SYSTEM, report=item, data={"title": "新标题"}, expected_lock_version=1
    )
    with pytest.raises(ConflictError):
        services.media_report_delete(actor=SYSTEM, report=stale, expected_lock_version=1)
    services.media_report_delete(actor=SYSTEM, report=item, expected_lock_version=2)
    assert not MediaReport.objects.exists()


def test_writes_need_the_permission(tree: Tree, people: People):
    with pytest.raises(ForbiddenAction):
        services.honour_create(
            actor=Actor(user=people.branch_staff),
            unit=tree.branch,
            data={"title": "x", "level": "other", "issuer": "y", "date": datetime.date(2024, 1, 1)},
        )


def test_counts_by_year_and_level(tree: Tree):
    commend(tree.shushan, level="national")
    commend(tree.shushan, level="provincial")
    commend(tree.branch, level="county")
    commend(tree.shushan, date=datetime.date(2023, 1, 1))
    report(tree.shushan)
    report(tree.baohe)
    counts = selectors.recognition_counts(unit=tree.shushan, year=2024)
    assert counts.honours == 3 and counts.media_reports == 1
    assert counts.by_level == {"national": 1, "provincial": 1, "county": 1}
    assert counts.level_cells == [1, 1, 0, 1, 0]
    own = selectors.recognition_counts(unit=tree.shushan, year=2024, subtree=False)
    assert own.honours == 2
    assert selectors.recognition_counts(unit=tree.hefei, year=2024).media_reports == 2


def test_files_are_stored_by_their_real_format(tree: Tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = commend(tree.shushan, document=pdf_upload("certificate.html"))
    assert (pdf.document.name or "").endswith(".pdf")
    docx = docx_upload("报道.pdf")
    assert (report(tree.shushan, scan=docx).scan.name or "").endswith(".docx")
    # A zip is no Word file, whatever its name: refused, not stored as .docx or .bin.
    for name in ("报道.docx", "run.js"):
        with pytest.raises(ValidationError) as exc:
            report(tree.shushan, scan=zip_upload(name))
        assert "is not a document we accept" in exc.value.message_dict["scan"][0]
    fake = SimpleUploadedFile("报道.docx", b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(ValidationError):
        report(tree.shushan, scan=fake)
    assert MediaReport.objects.count() == 1
