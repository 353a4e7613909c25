"""Writes to a unit's recognition: honours received and media reports."""

from typing import Any, TypeVar

from django.db import transaction

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record, snapshot
from jiceng.core.locking import delete_locked, save_locked
from jiceng.core.scope import authorize
from jiceng.org.models import Unit

from ..measures import recognition_delta
from ..models import Honour, MediaReport
from ._common import (
    apply_file_changes,
    check_document,
    discard_file_on_commit,
    new_files_removed_on_error,
    remove_uncommitted,
)

R = TypeVar("R", Honour, MediaReport)

#: The file field of each kind of record.
FILE_FIELD = {Honour: "document", MediaReport: "scan"}
ACTION = {Honour: "recognition.honour", MediaReport: "recognition.media_report"}


def _check(model: type[R], data: dict[str, Any]) -> None:
    for name in data:
        if name not in model.EDITABLE_FIELDS:
            raise ValueError(f"{name} is not an editable field of {model.__name__}")
    check_document(data.get(FILE_FIELD[model]), FILE_FIELD[model])


def _create(*, actor: Actor, model: type[R], unit: Unit, data: dict[str, Any]) -> R:
    authorize(actor, Perm.RECOGNITION_EDIT, unit)
    _check(model, data)
    file_field = FILE_FIELD[model]
    record = model(unit=unit, **{k: (v or "") if k == file_field else v for k, v in data.items()})
    record.full_clean()
    try:
        with transaction.atomic():
            record.save()
            recognition_delta(record, +1)
            audit_record(
                actor=actor,
                action=f"{ACTION[model]}.create",
                unit=unit,
                obj=record,
                after=snapshot(record, model.EDITABLE_FIELDS),
            )
    except BaseException:
        remove_uncommitted(getattr(record, file_field))
        raise
    return record


def _update(*, actor: Actor, record: R, data: dict[str, Any], expected_lock_version: int) -> R:
    model = type(record)
    authorize(actor, Perm.RECOGNITION_EDIT, record.unit)
    _check(model, data)
    data = dict(data)
    before = snapshot(record, model.EDITABLE_FIELDS)
    stored, replaced = apply_file_changes(record, data, [FILE_FIELD[model]])
    with new_files_removed_on_error(stored), transaction.atomic():
        previous = model._default_manager.filter(pk=record.pk).first()
        for name, value in data.items():
            setattr(record, name, value)
        record.full_clean()
        save_locked(record, expected_lock_version=expected_lock_version, fields=list(data))
        if previous is not None:
            recognition_delta(previous, -1)
        recognition_delta(record, +1)
        audit_record(
            actor=actor,
            action=f"{ACTION[model]}.update",
            unit=record.unit,
            obj=record,
            before=before,
            after=snapshot(record, model.EDITABLE_FIELDS),
        )
        for name in replaced:
            discard_file_on_commit(model, FILE_FIELD[model], name)
    return record


def _delete(*, actor: Actor, record: R, expected_lock_version: int) -> None:
    model = type(record)
    authorize(actor, Perm.RECOGNITION_EDIT, record.unit)
    with transaction.atomic():
        before = snapshot(record, model.EDITABLE_FIELDS)
        previous = model._default_manager.filter(pk=record.pk).first()
        delete_locked(record, expected_lock_version=expected_lock_version)
        if previous is not None:
            recognition_delta(previous, -1)
        audit_record(
            actor=actor,
            action=f"{ACTION[model]}.delete",
            unit=record.unit,
            obj=record,
            before=before,
            object_repr=str(record),
        )
        discard_file_on_commit(model, FILE_FIELD[model], getattr(record, FILE_FIELD[model]).name)


def honour_create(*, actor: Actor, unit: Unit, data: dict[str, Any]) -> Honour:
    """An honour the unit received: title, level, issuer, date, optional document."""
    return _create(actor=actor, model=Honour, unit=unit, data=data)


def honour_update(
    *, actor: Actor, honour: Honour, data: dict[str, Any], expected_lock_version: int
) -> Honour:
    """`data["document"]`: an upload replaces the file, False removes it."""
    return _update(
        actor=actor, record=honour, data=data, expected_lock_version=expected_lock_version
    )


def honour_delete(*, actor: Actor, honour: Honour, expected_lock_version: int) -> None:
    _delete(actor=actor, record=honour, expected_lock_version=expected_lock_version)


def media_report_create(*, actor: Actor, unit: Unit, data: dict[str, Any]) -> MediaReport:
    """A media report about the unit: outlet, date, title, and a link or a scan (or both)."""
    return _create(actor=actor, model=MediaReport, unit=unit, data=data)


def media_report_update(
    *, actor: Actor, report: MediaReport, data: dict[str, Any], expected_lock_version: int
) -> MediaReport:
    """`data["scan"]`: an upload replaces the file, False removes it (if a link remains)."""
    return _update(
        actor=actor, record=report, data=data, expected_lock_version=expected_lock_version
    )


def media_report_delete(*, actor: Actor, report: MediaReport, expected_lock_version: int) -> None:
    _delete(actor=actor, record=report, expected_lock_version=expected_lock_version)
