"""What every write of the app shares: the permission check, and stored files that must be
removed once the row that named them is gone (and only then)."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction

from jiceng.core import files


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


def check_photo(upload: Any, field: str = "image") -> None:
    """A new photo upload is one `core.files` accepts, whoever calls the service."""
    files.check_photo(upload, field)


def check_document(upload: Any, field: str = "document") -> None:
    """A new document upload is one `core.files` accepts, whoever calls the service."""
    files.check_document(upload, field)


def remove_uncommitted(field_file: Any) -> None:
    """Remove a file stored by a save whose transaction then failed."""
    if field_file and getattr(field_file, "_committed", False) and field_file.name:
        field_file.storage.delete(field_file.name)
