"""Writing and reading the audit log.

Personal data never enters it. A model names its personal fields once, as a class attribute
(`personal_fields = ("phone", "id_number")`: phones, ID numbers, contacts, anything stored
encrypted, and keys of its audit snapshot that stand for them); `audit_record` stores those
keys of before/after as a keyed hash (`personal_hash`), so the log still shows *that* the value
changed and never what it was. A caller may name more keys for one entry (`personal=`), e.g.
the term of an identifier search. The page shows such a change as "changed (not shown)".
Entries written before this rule are rewritten by `manage.py scrub_audit_personal_data`.
"""

import datetime
import decimal
import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q, QuerySet
from django.dispatch import receiver
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .actions import check_registered, field_label, value_label
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


# --- personal data ----------------------------------------------------------------------------

#: A stored personal value starts with this; the rest is 128 bits of HMAC-SHA256, hex.
PERSONAL_PREFIX = "hmac:"
_HASH_RE = re.compile(r"^hmac:[0-9a-f]{32}$")


def personal_fields(model: type[models.Model] | models.Model | None) -> frozenset[str]:
    """The before/after keys of `model` the log keeps only as a keyed hash."""
    if model is None:
        return frozenset()
    return frozenset(getattr(model, "personal_fields", ()) or ())


@cache
def _personal_key() -> bytes:
    # The member-data key where one is set (it guards the same data), SECRET_KEY otherwise.
    master = (settings.MEMBER_DATA_KEY or settings.SECRET_KEY).encode()
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"jiceng audit personal data v1"
    ).derive(master)


@receiver(setting_changed)
def _forget_personal_key(*, setting: str, **kwargs: Any) -> None:
    if setting in ("MEMBER_DATA_KEY", "SECRET_KEY"):
        _personal_key.cache_clear()


def is_personal_hash(value: Any) -> bool:
    return isinstance(value, str) and bool(_HASH_RE.match(value))


def personal_hash(value: Any) -> Any:
    """A personal value as the log keeps it: a keyed hash. Equal values hash equal, so an
    unchanged field stays unchanged; empty stays empty; a hash is kept as it is."""
    if value is None or value == "" or is_personal_hash(value):
        return value
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    digest = hmac.new(_personal_key(), text.encode(), hashlib.sha256).hexdigest()
    return PERSONAL_PREFIX + digest[:32]


def scrub_personal(data: dict[str, Any] | None, keys: Iterable[str]) -> dict[str, Any] | None:
    """`data` with the values of `keys` replaced by their keyed hash."""
    if not data:
        return data
    keys = frozenset(keys)
    return {k: personal_hash(v) if k in keys else v for k, v in data.items()}


def entry_personal_keys(entry: AuditEntry) -> frozenset[str]:
    """The personal keys of an entry's model (none when the model is gone)."""
    return personal_fields(_entry_model(entry))


def _entry_model(entry: AuditEntry) -> type[models.Model] | None:
    if not entry.object_type:
        return None
    try:
        return apps.get_model(entry.object_type)
    except (LookupError, ValueError):
        return None


def scrub_old_entries(
    entry_model: Any = AuditEntry, *, dry_run: bool = False, batch: int = 500
) -> int:
    """Rewrite entries written before a model's personal fields were hashed: each value of a
    personal field in before/after becomes its keyed hash. Idempotent (a hash is kept as it is);
    the number of entries changed (or, with `dry_run`, that would change). `entry_model` is the
    historical model when a migration calls it."""
    from django.db import transaction

    total = 0
    for model in apps.get_models():
        keys = personal_fields(model)
        if not keys:
            continue
        entries = entry_model._default_manager.filter(object_type=model._meta.label_lower).only(
            "pk", "before", "after"
        )
        last = 0
        # By key ranges, not a cursor held open while the same table is written.
        while chunk := list(entries.filter(pk__gt=last).order_by("pk")[:batch]):
            last = chunk[-1].pk
            pending = []
            for entry in chunk:
                before = scrub_personal(entry.before, keys)
                after = scrub_personal(entry.after, keys)
                if before != entry.before or after != entry.after:
                    entry.before, entry.after = before, after
                    pending.append(entry)
            if pending and not dry_run:
                with transaction.atomic():
                    entry_model._default_manager.bulk_update(pending, ["before", "after"])
            total += len(pending)
    return total


# --- writing ----------------------------------------------------------------------------------


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
    personal: Iterable[str] = (),
) -> AuditEntry:
    """Write one entry. `unit` is where it belongs (the user's own unit for a sign-in); `obj`
    may be None. The personal fields of `obj`'s model and the keys in `personal` are stored as
    a keyed hash, never the value."""
    check_registered(action)  # ValueError: declare it in the app's audit_actions.py
    hidden = personal_fields(obj) | frozenset(personal)
    if hidden:
        before = scrub_personal(before, hidden)
        after = scrub_personal(after, hidden)
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


# --- reading ----------------------------------------------------------------------------------


def audit_entries_for_user(user: "User") -> QuerySet[AuditEntry]:
    """Entries about units inside the user's subtree; at the root also the entries of no unit
    (a failed sign-in with an unknown name, a rebuild of every unit's figures)."""
    entries = AuditEntry.objects.select_related("unit")
    if user.unit is not None and user.unit.is_root():
        return entries.filter(Q(unit__isnull=True) | Q(unit__path__startswith=user.unit.path))
    return in_scope(entries, user)


def audit_entries_for_unit(unit: "Unit") -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(unit=unit)


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str
    #: A personal field: `old` and `new` are placeholders, `note` says what happened.
    personal: bool = False
    note: str = ""


def _local_time(value: str) -> str | None:
    """An ISO timestamp from a JSON snapshot in the current time zone, or None if it is none."""
    if len(value) < 16 or value[4:5] != "-" or "T" not in value:
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")


def _display(field: models.Field | None, value: Any, key: str = "") -> str:
    """A before/after value as people read it; `key` names it for the labels of coded values
    (`actions.register_value_labels`), also inside a list ("fields": ["id_number"])."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, list):
        return ", ".join(_display(None, item, key) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_display(None, v)}" for k, v in value.items())
    coded = value_label(key, value) if key else None
    if coded is not None:
        return coded
    if isinstance(value, str):
        local = _local_time(value)
        if local is not None:
            return local
    return str(value)


def _personal_change(label: str, old: Any, new: Any) -> Change:
    hidden = str(_("(not shown)"))
    empty = old is None or old == ""
    if new is None or new == "":
        note = _("cleared")
    elif empty:
        note = _("added (not shown)")
    else:
        note = _("changed (not shown)")
    return Change(
        label, "—" if empty else hidden, "—" if new in (None, "") else hidden, True, str(note)
    )


def describe_changes(entry: AuditEntry) -> list[Change]:
    """An entry's changes with field labels and display values in the user's language and
    time zone; personal fields say only that they changed."""
    model = _entry_model(entry)
    hidden = personal_fields(model)
    changes = []
    for name, old, new in entry.changes():
        field: Any = None  # a model field, or a reverse relation's name (no label of its own)
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
        if field is not None and hasattr(field, "verbose_name"):
            label = str(field.verbose_name)
        else:
            label = field_label(entry.action, name) or name
        label = capfirst(label) or label
        if name in hidden or is_personal_hash(old) or is_personal_hash(new):
            changes.append(_personal_change(label, old, new))
            continue
        plain = field if field is not None and not field.is_relation else None
        changes.append(Change(label, _display(plain, old, name), _display(plain, new, name)))
    return changes
