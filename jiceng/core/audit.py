"""Writing and reading the audit log."""

import datetime
import decimal
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import QuerySet

from .actor import Actor
from .models import AuditEntry

if TYPE_CHECKING:
    from jiceng.accounts.models import User
    from jiceng.org.models import Unit


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audited state of `obj`: plain JSON values of the named fields."""
    data = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        data[name] = _plain(getattr(obj, attname))
    return data


def audit_record(
    *,
    actor: Actor,
    action: str,
    unit: "Unit | None",
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    object_repr: str | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor.user,
        actor_name=actor.name,
        unit=unit,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr if object_repr is not None else str(obj or ""))[:255],
        before=before,
        after=after,
        source_address=actor.source_address or None,
    )


def audit_entries_for_user(user: "User") -> QuerySet[AuditEntry]:
    """Entries about units inside the user's subtree."""
    return AuditEntry.objects.filter(unit__path__subtree=user.unit.path).select_related("unit")


def audit_entries_for_unit(unit: "Unit") -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(unit=unit)
