"""Stored files keep only harmless extensions, and only images and PDFs open in the browser."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile

from jiceng.core.files import RandomUploadTo, serve_file
from jiceng.org.models import VenuePhoto


class _Owner:
    unit_id = 7


def test_random_names_keep_only_known_extensions():
    upload_to = RandomUploadTo("evidence")
    assert upload_to(_Owner(), "章程.PDF").endswith(".pdf")
    assert upload_to(_Owner(), "x.html").endswith(".bin")
    assert upload_to(_Owner(), "image.svg").endswith(".bin")
    assert upload_to(_Owner(), "noext").endswith(".bin")
    assert upload_to(_Owner(), "x.pdf").startswith("evidence/7/")


def _stored(name: str, content: bytes) -> FieldFile:
    field = VenuePhoto._meta.get_field("image")
    stored = default_storage.save(name, ContentFile(content))
    return FieldFile(None, field, stored)  # type: ignore[arg-type]


def test_only_images_and_pdfs_are_served_inline():
    pdf = serve_file(_stored("t/a.pdf", b"%PDF-1.4"))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline")
    page = serve_file(_stored("t/a.html", b"<script>alert(1)</script>"))
    assert page["Content-Type"] == "application/octet-stream"
    assert page["Content-Disposition"].startswith("attachment")
    sheet = serve_file(_stored("t/a.xlsx", b"PK\x03\x04"), download_name="名单.xlsx")
    assert sheet["Content-Disposition"].startswith("attachment")
