"""Uploads for tests, one builder a kind: real images, PDFs, Word documents, and the fakes
that pretend to be them."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
OCTET_STREAM = "application/octet-stream"


def image_bytes(fmt: str, size: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), "red").save(buffer, fmt)
    return buffer.getvalue()


def zip_bytes(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    """The parts that make a zip a Word document (what Word and WPS write, minus styling)."""
    return zip_bytes(
        {
            "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.'
            'openxmlformats.org/package/2006/content-types"/>',
            "_rels/.rels": "<Relationships/>",
            "word/document.xml": "<w:document/>",
        }
    )


def upload(name: str, content: bytes, content_type: str = OCTET_STREAM) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def image_upload(
    name: str = "photo.png", fmt: str = "PNG", size: int = 8, content_type: str | None = None
) -> SimpleUploadedFile:
    """An image; the browser's type is the format's unless `content_type` says otherwise."""
    return upload(name, image_bytes(fmt, size), content_type or f"image/{fmt.lower()}")


def pdf_upload(name: str = "rules.pdf") -> SimpleUploadedFile:
    return upload(name, PDF_BYTES, "application/pdf")


def docx_upload(name: str = "rules.docx") -> SimpleUploadedFile:
    """A Word document."""
    return upload(name, docx_bytes())


def zip_upload(name: str = "rules.docx") -> SimpleUploadedFile:
    """A plain zip, named like a Word document."""
    return upload(name, zip_bytes({"run.js": "alert(1)"}))


def exe_upload(name: str = "rules.pdf") -> SimpleUploadedFile:
    """A program pretending to be a PDF by its name."""
    return upload(name, b"MZ\x90\x00" + b"\x00" * 60, "application/pdf")
