"""One mechanism for files: detected by content, stored under a random name with the detected
extension, served with an allow-listed type; only images open in the browser."""

import io
import struct

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile

from jiceng.core.files import (
    DOC,
    DOCUMENT,
    DOCX,
    JPEG,
    PDF,
    PHOTO,
    PNG,
    WEBP,
    XLS,
    XLSX,
    RandomUploadTo,
    check_upload,
    detect,
    serve_file,
)
from jiceng.org.models import VenuePhoto

from .uploads import PDF_BYTES, docx_bytes, image_bytes, upload, zip_bytes

pytestmark = pytest.mark.usefixtures("media_in_tmp")


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append(["姓名", "电话"])
    book.save(buffer)
    return buffer.getvalue()


def ole_bytes(stream_name: str) -> bytes:
    """A compound file whose first directory entry names `stream_name`."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * (512 - 8)
    name = (stream_name + "\0").encode("utf-16-le")
    entry = name.ljust(64, b"\x00") + struct.pack("<H", len(name)) + b"\x00" * 62
    return header + entry + b"\x00" * (512 - len(entry))


class _Owner:
    unit_id = 7


def test_random_names_keep_only_known_extensions():
    upload_to = RandomUploadTo("evidence")
    assert upload_to(_Owner(), "章程.PDF").endswith(".pdf")
    assert upload_to(_Owner(), "x.html").endswith(".bin")
    assert upload_to(_Owner(), "image.svg").endswith(".bin")
    assert upload_to(_Owner(), "noext").endswith(".bin")
    assert upload_to(_Owner(), "x.pdf").startswith("evidence/7/")


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF_BYTES, PDF),
        (image_bytes("JPEG"), JPEG),
        (image_bytes("PNG"), PNG),
        (image_bytes("WEBP"), WEBP),
        (docx_bytes(), DOCX),
        (xlsx_bytes(), XLSX),
        (ole_bytes("WordDocument"), DOC),
        (ole_bytes("Workbook"), XLS),
    ],
)
def test_real_files_are_detected_by_content_whatever_their_name(content, kind):
    assert detect(io.BytesIO(content)) == kind
    checked = upload("whatever.html", content)
    assert check_upload(checked, DOCUMENT) == kind
    assert checked.name == f"whatever.{kind.extension}"  # the name now tells the truth


@pytest.mark.parametrize(
    "content",
    [
        zip_bytes({"notes.txt": "a plain zip"}),
        zip_bytes({"[Content_Types].xml": "<Types/>"}),  # OOXML-looking, but no document part
        ole_bytes("SomethingElse"),
        b"just some text, no signature",
        b"MZ\x90\x00" + b"\x00" * 60,
        image_bytes("GIF"),
        b"",
    ],
)
def test_anything_else_is_not_detected(content):
    assert detect(io.BytesIO(content)) is None


def test_a_zip_renamed_docx_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as exc:
        check_upload(upload("会议纪要.docx", zip_bytes({"a.txt": "hi"})), DOCUMENT)
    message = exc.value.messages[0]
    assert "“会议纪要.docx” is not a document we accept" in message
    assert "PDF" in message and ".docx" in message


def test_a_text_file_named_jpg_is_refused_as_a_photo():
    with pytest.raises(ValidationError) as exc:
        check_upload(upload("photo.jpg", b"<html><script>alert(1)</script></html>"), PHOTO)
    assert "“photo.jpg” is not a photo we accept" in exc.value.messages[0]
    assert "JPEG, PNG or WebP" in exc.value.messages[0]


def test_a_pdf_is_no_photo_and_the_size_limit_holds(settings):
    with pytest.raises(ValidationError):
        check_upload(upload("scan.jpg", PDF_BYTES), PHOTO)
    settings.MAX_DOCUMENT_BYTES = 10
    with pytest.raises(ValidationError) as exc:
        check_upload(upload("rules.pdf", PDF_BYTES), DOCUMENT)
    assert "limit" in exc.value.messages[0]


def _stored(name: str, content: bytes) -> FieldFile:
    field = VenuePhoto._meta.get_field("image")
    stored = default_storage.save(name, ContentFile(content))
    return FieldFile(None, field, stored)  # type: ignore[arg-type]


def test_only_images_are_served_inline():
    png = serve_file(_stored("t/a.png", image_bytes("PNG")))
    assert png["Content-Type"] == "image/png"
    assert png["Content-Disposition"].startswith("inline")
    assert png["X-Content-Type-Options"] == "nosniff"
    pdf = serve_file(_stored("t/a.pdf", b"%PDF-1.4"))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment")
    page = serve_file(_stored("t/a.html", b"<script>alert(1)</script>"))
    assert page["Content-Type"] == "application/octet-stream"
    assert page["Content-Disposition"].startswith("attachment")
    assert page["X-Content-Type-Options"] == "nosniff"
    sheet = serve_file(_stored("t/a.xlsx", b"PK\x03\x04"), download_name="名单.xlsx")
    assert sheet["Content-Disposition"].startswith("attachment")
    assert sheet["Content-Type"] == "application/octet-stream"  # a zip header is no workbook


def test_the_served_type_is_the_content_not_the_stored_name():
    """Files stored before names came from the content (a PNG kept as .pdf or .html)."""
    photo = serve_file(_stored("t/old.html", image_bytes("JPEG")))
    assert photo["Content-Type"] == "image/jpeg"
    assert photo["Content-Disposition"].startswith("inline")
    assert ".jpg" in photo["Content-Disposition"] and ".html" not in photo["Content-Disposition"]
    book = serve_file(_stored("t/b.bin", xlsx_bytes()), download_name="名单.csv")
    assert book["Content-Type"] == XLSX.content_type
    assert book["Content-Disposition"].startswith("attachment")
    assert ".xlsx" in book["Content-Disposition"]


def test_a_csv_the_server_wrote_is_a_download():
    exported = serve_file(
        _stored("t/rows.csv", "\ufeff编号,名称\n".encode()), download_name="x.csv"
    )
    assert exported["Content-Type"].startswith("text/csv")
    assert exported["Content-Disposition"].startswith("attachment")
