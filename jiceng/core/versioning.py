"""Optimistic locking: a save names the version it started from and fails if that is stale."""

from typing import Any, TypeVar

from django.db import models
from django.db.models import F

from .errors import ConflictError

M = TypeVar("M", bound=models.Model)


class Versioned(models.Model):
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


def save_versioned(instance: M, *, expected_version: int, fields: list[str]) -> M:
    """UPDATE … WHERE version = expected; bump the version; raise ConflictError when stale."""
    model = type(instance)
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        values[getattr(field, "attname", name)] = getattr(instance, getattr(field, "attname", name))
    updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
        **values, version=F("version") + 1
    )
    if not updated:
        current = model._default_manager.filter(pk=instance.pk).first()
        raise ConflictError(current=current)
    instance.version = expected_version + 1  # type: ignore[attr-defined]
    return instance


def delete_versioned(instance: models.Model, *, expected_version: int) -> None:
    """DELETE … WHERE version = expected; raise ConflictError when the row changed meanwhile."""
    model = type(instance)
    deleted, _ = model._default_manager.filter(pk=instance.pk, version=expected_version).delete()
    if not deleted:
        raise ConflictError(current=model._default_manager.filter(pk=instance.pk).first())
