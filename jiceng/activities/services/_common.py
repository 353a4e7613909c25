"""What every write of the app shares: the permission check, and stored files that must be
removed once the row that named them is gone (and only then)."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.errors import ForbiddenAction
from jiceng.org.models import Unit


def authorize(actor: Actor, perm: Perm, unit: Unit | None = None) -> None:
    """The actor's role holds `perm`, and `unit` lies in their subtree. System jobs (no user)
    may do anything; views have checked both already, so this guards other callers."""
    user = actor.user
    if user is None:
        return
    if not user.can(perm):
        raise ForbiddenAction(_("Your role may not make this change."))
    if unit is not None and not user.can_reach(unit):
        raise ForbiddenAction(_("This unit is outside your area."))


def discard_file_on_commit(model: type[models.Model], field: str, name: str) -> None:
    """Delete a stored file after the transaction commits, unless another row still names it
    (the demo data shares one file between many rows)."""
    if not name:
        return
    storage = model._meta.get_field(field).storage  # type: ignore[union-attr]

    def discard() -> None:
        if not model._default_manager.filter(**{field: name}).exists():
            storage.delete(name)

    transaction.on_commit(discard)


@contextmanager
def new_files_removed_on_error(stored: list[tuple[Any, str]]) -> Iterator[None]:
    """Files stored before a write that then fails (a conflict, a refused value) are removed."""
    try:
        yield
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise


def apply_file_changes(
    instance: models.Model, data: dict[str, Any], file_fields: Iterable[str]
) -> tuple[list[tuple[Any, str]], list[str]]:
    """Store newly uploaded files into `instance` and clear removed ones.

    `data[field]` is an upload (replace), False or "" (remove), or anything else (unchanged,
    dropped from `data`). Returns the files stored now and the names of the files replaced."""
    stored: list[tuple[Any, str]] = []
    replaced: list[str] = []
    for name in file_fields:
        if name not in data:
            continue
        value = data[name]
        current = getattr(instance, name)
        old = current.name or ""
        if isinstance(value, UploadedFile):
            current.save(value.name or "upload", value, save=False)
            stored.append((current.storage, current.name))
            data[name] = current.name
        elif value is False or value == "" or value is None:
            setattr(instance, name, "")
            data[name] = ""
        else:
            del data[name]
            continue
        if old:
            replaced.append(old)
    return stored, replaced


#: Stored extensions by checked content: what `serve_file` derives the Content-Type from.
_IMAGE_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
_DOCUMENT_EXTENSIONS = {"pdf": "pdf", "jpg": "jpg", "png": "png"}
_OFFICE_EXTENSIONS = {
    "office": {"docx", "xlsx", "pptx", "wps", "et", "dps"},
    "office-legacy": {"doc", "xls", "ppt", "wps", "et", "dps"},
}


def _rename(upload: Any, extension: str) -> None:
    """Name an upload by what it is, never by what it claims: a valid PNG called `x.html`
    would otherwise be stored, and served, as a web page."""
    stem = str(upload.name or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    upload.name = f"{stem or 'upload'}.{extension}"


def check_photo(upload: Any, field: str = "image") -> None:
    """A photo is a JPEG, PNG or WebP within the size limit, whoever calls the service, and
    is stored under the extension of its real format. (A form's ImageField has opened it
    already; other callers' uploads are opened here.)"""
    from django import forms

    from jiceng.core.files import validate_image_upload

    try:
        if getattr(upload, "image", None) is None:
            forms.ImageField().clean(upload)
        validate_image_upload(upload)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    _rename(upload, _IMAGE_EXTENSIONS[upload.image.format])


def check_document(upload: Any, field: str = "document") -> None:
    """A document is a PDF, a JPEG/PNG scan or an Office/WPS file within the size limit, and
    is stored under the extension of its real format."""
    from jiceng.core.files import document_kind, validate_document_upload

    if not isinstance(upload, UploadedFile):
        return
    try:
        validate_document_upload(upload)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    kind = document_kind(upload) or ""
    extension = _DOCUMENT_EXTENSIONS.get(kind)
    if extension is None:
        claimed = str(upload.name or "").rsplit(".", 1)[-1].lower()
        extension = claimed if claimed in _OFFICE_EXTENSIONS.get(kind, set()) else "bin"
    _rename(upload, extension)


def remove_uncommitted(field_file: Any) -> None:
    """Remove a file stored by a save whose transaction then failed."""
    if field_file and getattr(field_file, "_committed", False) and field_file.name:
        field_file.storage.delete(field_file.name)
