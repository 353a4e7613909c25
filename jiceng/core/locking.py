"""Optimistic locking: every editable row carries `lock_version`; a save names the one it
started from and fails if that is stale. (`lock_version`, not `version`: content versions —
rubrics, questionnaires — are another thing.)"""

from typing import Any, TypeVar

from django.db import models
from django.db.models import F

from .errors import ConflictError

M = TypeVar("M", bound=models.Model)


class Locked(models.Model):
    lock_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


def save_locked(instance: M, *, expected_lock_version: int, fields: list[str]) -> M:
    """UPDATE … WHERE lock_version = expected; bump it; raise ConflictError when stale."""
    model = type(instance)
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        values[getattr(field, "attname", name)] = getattr(instance, getattr(field, "attname", name))
    updated = model._default_manager.filter(
        pk=instance.pk, lock_version=expected_lock_version
    ).update(**values, lock_version=F("lock_version") + 1)
    if not updated:
        current = model._default_manager.filter(pk=instance.pk).first()
        raise ConflictError(current=current)
    instance.lock_version = expected_lock_version + 1  # type: ignore[attr-defined]
    return instance


def delete_locked(instance: models.Model, *, expected_lock_version: int) -> None:
    """DELETE … WHERE lock_version = expected; ConflictError when the row changed meanwhile."""
    model = type(instance)
    deleted, _ = model._default_manager.filter(
        pk=instance.pk, lock_version=expected_lock_version
    ).delete()
    if not deleted:
        raise ConflictError(current=model._default_manager.filter(pk=instance.pk).first())
