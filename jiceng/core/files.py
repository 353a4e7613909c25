"""Uploaded files: what may be uploaded, where it is stored, and how it is served.

One mechanism for every upload, whatever the name it came with:

- `detect(stream)` names a file's real type by its content. `puremagic` reads the signature;
  the container is then opened to confirm it (Pillow for images, the zip directory for
  .docx/.xlsx, the compound-file directory for .doc/.xls), so a plain zip renamed .docx is no
  Word file. Only the types in `ALLOWED_TYPES` are ever recognised.
- `check_upload(upload, accept)` refuses a file over its size limit or of a type `accept`
  (`PHOTO` or `DOCUMENT`) does not allow, with a message for the person who chose it. Forms
  call it through `validate_photo` / `validate_document`, services through `check_photo` /
  `check_document`.
- The model fields `PhotoField` and `DocumentField` run the same check when a model is
  validated and again when the file is stored, and store it as `<folder>/<unit id>/<random
  token>.<extension of the detected type>`: the uploaded name is never used.
- `serve_file` streams a stored file with the content type of its detected type, inline only
  for images, as an attachment otherwise, with `X-Content-Type-Options: nosniff` and
  `Cache-Control: no-store` (files may hold personal data: no browser or proxy keeps a copy).
  Views check scope before calling it.
- Files the server writes with personal data (member exports) are stored encrypted
  (`encrypt_to`): AES-256-GCM in 64 KiB chunks under a key from `FILE_ENCRYPTION_KEY`, each
  chunk authenticated with its index and whether it is the last, so a chunk cannot be changed,
  reordered or cut off unnoticed. `serve_file` decrypts such a file as it streams it.
"""

import contextlib
import os
import secrets
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import puremagic
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import models
from django.db.models.fields.files import FieldFile, ImageFieldFile
from django.http import FileResponse, Http404
from django.utils.deconstruct import deconstructible
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FileType:
    """A type of file we store and serve: its stored extension and its Content-Type."""

    extension: str
    content_type: str
    label: str

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_CONTENT_TYPES


JPEG = FileType("jpg", "image/jpeg", "JPEG")
PNG = FileType("png", "image/png", "PNG")
WEBP = FileType("webp", "image/webp", "WebP")
PDF = FileType("pdf", "application/pdf", "PDF")
DOCX = FileType(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Word (.docx)",
)
XLSX = FileType(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (.xlsx)"
)
DOC = FileType("doc", "application/msword", "Word (.doc)")
XLS = FileType("xls", "application/vnd.ms-excel", "Excel (.xls)")
#: Written by the server itself (exports), never accepted as an upload: text has no signature.
CSV = FileType("csv", "text/csv; charset=utf-8", "CSV")

IMAGE_CONTENT_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
#: Everything `detect` can recognise and `serve_file` may send with its own Content-Type.
ALLOWED_TYPES = (JPEG, PNG, WEBP, PDF, DOCX, XLSX, DOC, XLS)


# --- Detection ---------------------------------------------------------------------------------

_PILLOW_FORMATS = {"JPEG": JPEG, "PNG": PNG, "WEBP": WEBP}
#: OOXML parts that make a zip a Word document or a workbook.
_OOXML_PARTS = (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX))
#: Compound-file streams that make a .doc or an .xls (BIFF8 "Workbook", BIFF5 "Book").
_OLE_STREAMS = (("WordDocument", DOC), ("Workbook", XLS), ("Book", XLS))


def _image(stream: IO[bytes]) -> FileType | None:
    from PIL import Image

    try:
        with Image.open(stream) as image:
            kind = _PILLOW_FORMATS.get(image.format or "")
            image.verify()
    except Exception:  # Pillow raises many kinds of error for a damaged or hostile file
        return None
    return kind


def _pdf(stream: IO[bytes]) -> FileType | None:
    return PDF if stream.read(5) == b"%PDF-" else None


def _ooxml(stream: IO[bytes]) -> FileType | None:
    """Deep scan of a zip: only the directory is read, nothing is unpacked."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for part, kind in _OOXML_PARTS:
        if part in names:
            return kind
    return None


def _ole(stream: IO[bytes]) -> FileType | None:
    """Deep scan of a compound file: a directory entry (128 bytes, on a 128-byte boundary)
    naming the main stream of a Word document or an Excel workbook."""
    data = stream.read()
    for stream_name, kind in _OLE_STREAMS:
        name = (stream_name + "\0").encode("utf-16-le")
        position = data.find(name)
        while position != -1:
            length_at = position + 64
            if (
                position % 128 == 0
                and len(data) >= length_at + 2
                and struct.unpack_from("<H", data, length_at)[0] == len(name)
            ):
                return kind
            position = data.find(name, position + 1)
    return None


#: What puremagic's reading of the signature leads to: the check that confirms the container.
_CONFIRM: dict[str, Callable[[IO[bytes]], FileType | None]] = {
    ".jpg": _image,
    ".jpeg": _image,
    ".png": _image,
    ".webp": _image,
    ".pdf": _pdf,
    ".docx": _ooxml,
    ".xlsx": _ooxml,
    ".zip": _ooxml,
    ".doc": _ole,
    ".xls": _ole,
}


def detect(stream: Any) -> FileType | None:
    """The file's type by its content, or None when it is not one of `ALLOWED_TYPES`.

    `stream` is a file object (an upload, a stored file); its position is kept."""
    position = stream.tell() if hasattr(stream, "tell") else 0
    try:
        stream.seek(0)
        try:
            matches = puremagic.magic_stream(stream)
        except (puremagic.PureError, ValueError):  # no known signature, or empty
            return None
        tried: set[Callable[[IO[bytes]], FileType | None]] = set()
        for match in matches:
            confirm = _CONFIRM.get(str(match.extension).lower())
            if confirm is None or confirm in tried:
                continue
            tried.add(confirm)
            stream.seek(0)
            kind = confirm(stream)
            if kind is not None:
                return kind
        return None
    finally:
        stream.seek(position)


# --- Checks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Accept:
    """What an upload field takes: its types, its size limit, and what to say otherwise."""

    types: tuple[FileType, ...]
    limit_setting: str
    refusal: str | Promise

    @property
    def limit(self) -> int:
        return int(getattr(settings, self.limit_setting))


PHOTO = Accept(
    types=(JPEG, PNG, WEBP),
    limit_setting="MAX_PHOTO_BYTES",
    refusal=_("“%(name)s” is not a photo we accept: upload a JPEG, PNG or WebP image."),
)
DOCUMENT = Accept(
    types=(PDF, JPEG, PNG, WEBP, DOCX, XLSX, DOC, XLS),
    limit_setting="MAX_DOCUMENT_BYTES",
    refusal=_(
        "“%(name)s” is not a document we accept: upload a PDF, a JPEG, PNG or WebP scan, or a "
        "Word or Excel file (.docx, .xlsx, .doc, .xls)."
    ),
)


def _megabytes(size: int) -> float:
    return round(size / 1048576, 1)


def _size(upload: Any) -> int | None:
    size = getattr(upload, "size", None)
    return size if isinstance(size, int) else None


def _base_name(name: Any) -> str:
    return str(name or "").replace("\\", "/").rsplit("/", 1)[-1]


def check_size(upload: Any, limit: int) -> None:
    size = _size(upload)
    if size is not None and size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": _megabytes(size), "limit": _megabytes(limit)},
            code="too_large",
        )


def check_upload(upload: Any, accept: Accept) -> FileType:
    """The upload's detected type if `accept` allows it and it is within the size limit;
    otherwise a ValidationError. The upload's name is then made to tell the truth (its stem
    with the detected extension), for anyone who shows it; storage never uses it."""
    check_size(upload, accept.limit)
    kind = detect(upload)
    if kind is None or kind not in accept.types:
        raise ValidationError(
            str(accept.refusal) % {"name": _base_name(getattr(upload, "name", "")) or "?"},
            code="file_type",
        )
    stem = _base_name(getattr(upload, "name", ""))
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    with contextlib.suppress(AttributeError):  # a read-only name: storage does not use it
        upload.name = f"{stem or 'upload'}.{kind.extension}"
    return kind


def _is_new_upload(value: Any) -> bool:
    """A file being uploaded now, not a stored one, a removal (False/"") or nothing."""
    return isinstance(value, File) and not isinstance(value, FieldFile)


def validate_photo(upload: Any) -> Any:
    """Form cleaner: anything but a new upload passes (the field's `required` decides)."""
    if _is_new_upload(upload):
        check_upload(upload, PHOTO)
    return upload


def validate_document(upload: Any) -> Any:
    """Form cleaner: anything but a new upload passes (the field's `required` decides)."""
    if _is_new_upload(upload):
        check_upload(upload, DOCUMENT)
    return upload


def _check_for_field(upload: Any, accept: Accept, field: str) -> None:
    if not _is_new_upload(upload):
        return
    try:
        check_upload(upload, accept)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


def check_photo(upload: Any, field: str = "image") -> None:
    """For services: a new upload is a photo we accept (errors keyed by `field`)."""
    _check_for_field(upload, PHOTO, field)


def check_document(upload: Any, field: str = "document") -> None:
    """For services: a new upload is a document we accept (errors keyed by `field`)."""
    _check_for_field(upload, DOCUMENT, field)


# --- Storage -----------------------------------------------------------------------------------


#: Extensions RandomUploadTo lets a name keep: the allowed types, and CSV the server writes.
STORED_SUFFIXES = frozenset({t.extension for t in ALLOWED_TYPES} | {CSV.extension})


@deconstructible
class RandomUploadTo:
    """An `upload_to` that replaces the name with a random token, grouped by the owning unit:
    `<folder>/<unit id>/<token>.<ext>`.

    For `PhotoField` / `DocumentField` the extension is the detected type's (the field passes
    no other name); for other fields (server-written exports, roster imports parsed by the
    server) an extension outside `STORED_SUFFIXES` becomes `.bin`."""

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


class _CheckedFileMixin:
    """A stored file that is checked, and named by its detected type, when it is saved."""

    def save(self, name: str, content: Any, save: bool = True) -> None:
        field: Any = self.field  # type: ignore[attr-defined]
        try:
            kind = check_upload(content, field.accept)
        except ValidationError as exc:
            raise ValidationError({field.name: exc.messages}) from exc
        super().save(f"upload.{kind.extension}", content, save)  # type: ignore[misc]


class CheckedFieldFile(_CheckedFileMixin, FieldFile):
    pass


class CheckedImageFieldFile(_CheckedFileMixin, ImageFieldFile):
    pass


class _CheckedFieldMixin:
    """Model-field side: `full_clean` checks a new upload (errors on the field)."""

    accept: Accept

    def validate(self, value: Any, model_instance: Any) -> None:
        super().validate(value, model_instance)  # type: ignore[misc]
        if value and not getattr(value, "_committed", True):
            check_upload(value.file, self.accept)


class DocumentField(_CheckedFieldMixin, models.FileField):
    """An uploaded document (PDF, image scan, Word or Excel), checked and named by content."""

    attr_class = CheckedFieldFile
    accept = DOCUMENT


class _PhotoFormField(forms.ImageField):
    """Pillow opens the upload as the form's ImageField does, but the name's extension is not
    checked: the content decides (a PNG called photo.pdf is a PNG)."""

    default_validators: list[Any] = []


class PhotoField(_CheckedFieldMixin, models.ImageField):
    """An uploaded photo (JPEG, PNG or WebP), checked and named by content."""

    attr_class = CheckedImageFieldFile
    accept = PHOTO

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": _PhotoFormField, **kwargs})


# --- Serving -----------------------------------------------------------------------------------


def served_type(field: FieldFile, handle: Any) -> FileType | None:
    """What a stored file is served as: its detected type; a CSV only when the server wrote
    it as one (no upload is ever stored under .csv by the checked fields)."""
    kind = detect(handle)
    if kind is None and (field.name or "").lower().endswith(".csv"):
        return CSV
    return kind


def serve_file(field: FieldFile, *, download_name: str | None = None) -> FileResponse:
    """Stream a stored file; the caller has already checked that the user may see it.

    The Content-Type is that of the detected type (application/octet-stream for anything
    else); only images are shown inline, and only when no download name is asked for. The
    file name offered keeps the stem of `download_name` (or the stored name) with the
    extension of the detected type. An encrypted file is decrypted as it is sent."""
    if not field or not field.name:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    encrypted = encrypted_type(handle)
    kind = encrypted if encrypted is not None else served_type(field, handle)
    inline = kind is not None and kind.is_image and download_name is None and not encrypted
    stem = _base_name(download_name or field.name)
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    extension = kind.extension if kind is not None else "bin"
    content_type = kind.content_type if kind is not None else "application/octet-stream"
    filename = f"{stem or 'file'}.{extension}"
    if encrypted is not None:
        # (An iterator, not a file: FileResponse streams it and sets no headers of its own.)
        response = FileResponse(
            _closing(decrypted_chunks(handle), handle), content_type=content_type
        )
        response["Content-Disposition"] = content_disposition_header(True, filename)
    else:
        response = FileResponse(
            handle, content_type=content_type, as_attachment=not inline, filename=filename
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _closing(chunks: Iterator[bytes], handle: Any) -> Iterator[bytes]:
    try:
        yield from chunks
    finally:
        handle.close()


# --- Encryption at rest ------------------------------------------------------------------------

#: Starts every encrypted file; then one byte (the length) and the extension of its type.
ENCRYPTED_MAGIC = b"JICENG-ENC1"
CHUNK_BYTES = 64 * 1024
_NONCE_PREFIX_BYTES = 8
#: The types an encrypted file may declare (the server wrote it, as it writes CSV).
_SERVABLE = {t.extension: t for t in (*ALLOWED_TYPES, CSV)}


def _file_cipher() -> AESGCM:
    return AESGCM(import_string(settings.FILE_ENCRYPTION_KEY)())


def _chunk_data(header: bytes, index: int, last: bool) -> bytes:
    """What each chunk is authenticated with besides its content."""
    return header + struct.pack(">Q?", index, last)


def encrypt_to(source: IO[bytes], target: IO[bytes], kind: FileType) -> None:
    """Write `source` (a file of type `kind`) encrypted into `target`."""
    cipher = _file_cipher()
    extension = kind.extension.encode()
    prefix = os.urandom(_NONCE_PREFIX_BYTES)
    header = ENCRYPTED_MAGIC + bytes([len(extension)]) + extension + prefix
    target.write(header)
    chunk = source.read(CHUNK_BYTES)
    index = 0
    while True:
        following = source.read(CHUNK_BYTES)
        last = not following
        nonce = prefix + struct.pack(">I", index)
        sealed = cipher.encrypt(nonce, chunk, _chunk_data(header, index, last))
        target.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return
        chunk, index = following, index + 1


def encrypted_type(handle: Any) -> FileType | None:
    """The type an encrypted file declares, or None for a file stored in the clear (the
    position is then back at the start)."""
    handle.seek(0)
    if handle.read(len(ENCRYPTED_MAGIC)) != ENCRYPTED_MAGIC:
        handle.seek(0)
        return None
    length = handle.read(1)
    extension = handle.read(length[0] if length else 0).decode("ascii", "replace")
    handle.seek(0)
    return _SERVABLE.get(extension, FileType("bin", "application/octet-stream", "?"))


def decrypted_chunks(handle: Any) -> Iterator[bytes]:
    """The plaintext of an encrypted file, chunk by chunk; raises on any tampering
    (cryptography's InvalidTag, or ValueError for a file cut short)."""
    cipher = _file_cipher()
    handle.seek(0)
    magic = handle.read(len(ENCRYPTED_MAGIC))
    length = handle.read(1)
    if magic != ENCRYPTED_MAGIC or not length:
        raise ValueError("not an encrypted file")
    extension = handle.read(length[0])
    prefix = handle.read(_NONCE_PREFIX_BYTES)
    header = magic + length + extension + prefix
    index = 0
    while True:
        size = handle.read(4)
        if len(size) != 4:
            raise ValueError("the encrypted file is cut short")
        sealed = handle.read(struct.unpack(">I", size)[0])
        nonce = prefix + struct.pack(">I", index)
        at_end = handle.read(1) == b""
        if not at_end:
            handle.seek(-1, os.SEEK_CUR)
        yield cipher.decrypt(nonce, sealed, _chunk_data(header, index, at_end))
        if at_end:
            return
        index += 1
