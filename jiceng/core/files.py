"""Uploaded files: what may be uploaded, where it is stored, and how it is served.

Files are checked by their content, never by their name: a photo must open as a JPEG, PNG or
WebP image; a document must start with the signature of a PDF, an image or an Office/WPS file.
They are stored under random names and served only through views that check scope first.
"""

import mimetypes
import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}

#: Leading bytes of the document formats accepted as evidence (rules, commendations, scans).
DOCUMENT_SIGNATURES: dict[bytes, str] = {
    b"%PDF-": "pdf",
    b"\xff\xd8\xff": "jpg",
    b"\x89PNG\r\n\x1a\n": "png",
    b"PK\x03\x04": "office",  # .docx / .xlsx / .pptx / WPS in OOXML
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "office-legacy",  # .doc / .xls / .wps
}


def _megabytes(size: int) -> float:
    return round(size / 1048576, 1)


def check_size(upload: UploadedFile, limit: int) -> None:
    if upload.size is not None and upload.size > limit:
        raise forms.ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _megabytes(upload.size), "limit": _megabytes(limit)},
            code="too_large",
        )


def validate_image_upload(upload: Any) -> Any:
    """A photo: within MAX_PHOTO_BYTES, and really a JPEG, PNG or WebP image.

    Django's ImageField has already opened it with Pillow (`upload.image`); anything Pillow
    cannot read was refused there.
    """
    if not upload:
        return upload
    check_size(upload, settings.MAX_PHOTO_BYTES)
    kind = getattr(getattr(upload, "image", None), "format", None)
    if kind is not None and kind not in ALLOWED_IMAGE_FORMATS:
        raise forms.ValidationError(
            _("Upload a JPEG, PNG or WebP photo (this file is %(kind)s).") % {"kind": kind},
            code="image_type",
        )
    return upload


def document_kind(upload: Any) -> str | None:
    """The document format by its leading bytes, or None when it is none we accept."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(8)
    upload.seek(position)
    for signature, kind in DOCUMENT_SIGNATURES.items():
        if head.startswith(signature):
            return kind
    return None


def validate_document_upload(upload: Any) -> Any:
    """A document: within MAX_DOCUMENT_BYTES, and a PDF, a JPEG/PNG scan, or an Office/WPS file."""
    if not upload:
        return upload
    check_size(upload, settings.MAX_DOCUMENT_BYTES)
    if document_kind(upload) is None:
        raise forms.ValidationError(
            _(
                "“%(name)s” is not a document we accept: upload a PDF, a JPEG or PNG scan, or a "
                "Word/WPS file."
            )
            % {"name": upload.name},
            code="document_type",
        )
    return upload


#: Extensions a stored file may keep; anything else is stored as .bin.
STORED_SUFFIXES = frozenset(
    {"jpg", "jpeg", "png", "webp", "pdf", "doc", "docx", "xls", "xlsx", "csv", "wps", "et"}
)
#: What may be shown in the browser; every other file is sent as a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})
KNOWN_TYPES = INLINE_TYPES | {
    "text/csv",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@deconstructible
class RandomUploadTo:
    """An `upload_to` that keeps the extension and replaces the name with a random token,
    grouped by the owning unit: `<folder>/<unit id>/<token>.<ext>`."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance: Any, filename: str) -> str:
        suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if suffix not in STORED_SUFFIXES:
            suffix = "bin"  # never keep an extension a browser would run (.html, .svg, .js)
        unit_id = getattr(instance, "unit_id", None) or "none"
        return f"{self.folder}/{unit_id}/{secrets.token_hex(16)}.{suffix}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomUploadTo) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)


def serve_file(field: FieldFile, *, download_name: str | None = None) -> FileResponse:
    """Stream a stored file; the caller has already checked that the user may see it."""
    if not field or not field.name:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(field.name)[0] or "application/octet-stream"
    inline = content_type in INLINE_TYPES and download_name is None
    if (
        not inline
        and content_type not in INLINE_TYPES
        and not content_type.startswith("application/vnd.")
        and content_type not in ("application/msword", "text/csv")
    ):
        content_type = "application/octet-stream"
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not inline,
        filename=download_name or field.name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
