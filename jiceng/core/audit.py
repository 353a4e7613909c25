"""Writing and reading the audit log."""

import datetime
import decimal
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .actions import check_registered
from .actor import Actor
from .models import AuditEntry
from .scope import in_scope

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
        if field.many_to_one:
            # The related row as people know it (its name), not its id.
            related = getattr(obj, name)
            data[name] = str(related) if related is not None else None
        else:
            data[name] = _plain(getattr(obj, getattr(field, "attname", name)))
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
    check_registered(action)  # ValueError: declare it in the app's audit_actions.py
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
    return in_scope(AuditEntry.objects.select_related("unit"), user)


def audit_entries_for_unit(unit: "Unit") -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(unit=unit)


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


def _display(field: models.Field | None, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def describe_changes(entry: AuditEntry) -> list[Change]:
    """An entry's changes with field labels and display values in the user's language."""
    model = None
    if entry.object_type:
        try:
            model = apps.get_model(entry.object_type)
        except (LookupError, ValueError):
            model = None
    changes = []
    for name, old, new in entry.changes():
        field = None
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
        label = str(field.verbose_name) if field is not None else name
        plain = field if field is not None and not field.is_relation else None
        changes.append(Change(label, _display(plain, old), _display(plain, new)))
    return changes
