"""The registry of audit actions: every `action` code the log may hold, with its label.

Each app declares its actions once, in `<app>/audit_actions.py`, with `register(code, label)`;
core's `AppConfig.ready` imports those modules (`autodiscover`). `audit_record` refuses a code
that is not registered, so no action ships without a label people can read.

The log page reads its words from here too:

- a key of an entry's before/after that is not a field of the entry's model ("rows",
  "sha256") is labelled by the action's own map (`register(code, label, fields={...})`) or by
  the shared map (`register_field_labels`), never shown as the key;
- a value of such a key that is a code ("totp", "skip") reads by `register_value_labels`;
- a group of codes sharing their first word ("security.") is offered in the log's filter under
  the label given with `register_group`.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

#: Lower-case words joined by dots, at least two parts; fits `AuditEntry.action`.
CODE_RE = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$")
MAX_CODE_LENGTH = 64


@dataclass(frozen=True)
class AuditAction:
    code: str
    #: A short imperative phrase in English, marked with gettext_lazy ("Edit venue").
    label: str | Promise
    #: Labels of this action's before/after keys that are not fields of its model.
    fields: Mapping[str, str | Promise] = field(default_factory=dict)

    def __str__(self) -> str:
        return str(self.label)


_registry: dict[str, AuditAction] = {}
_groups: dict[str, str | Promise] = {}
_field_labels: dict[str, str | Promise] = {}
_value_labels: dict[str, dict[str, str | Promise]] = {}


def register(
    code: str, label: str | Promise, *, fields: Mapping[str, str | Promise] | None = None
) -> AuditAction:
    """Declare an action. A code is registered once; a malformed code is refused."""
    if not CODE_RE.match(code) or len(code) > MAX_CODE_LENGTH:
        raise ValueError(f"malformed audit action code: {code!r}")
    if code in _registry:
        raise ValueError(f"audit action {code!r} is already registered")
    action = AuditAction(code, label, dict(fields or {}))
    _registry[code] = action
    return action


def register_group(prefix: str, label: str | Promise) -> None:
    """Name the codes starting with `prefix.` for the log's filter ("All security events")."""
    if not re.fullmatch(r"[a-z][a-z_]*", prefix):
        raise ValueError(f"malformed audit action group: {prefix!r}")
    if prefix in _groups:
        raise ValueError(f"audit action group {prefix!r} is already registered")
    _groups[prefix] = label


def register_field_labels(labels: Mapping[str, str | Promise]) -> None:
    """Labels for before/after keys many actions share that are no model's field ("rows")."""
    for key, label in labels.items():
        if key in _field_labels:
            raise ValueError(f"audit field label {key!r} is already registered")
        _field_labels[key] = label


def field_label(code: str, key: str) -> str | None:
    """The label of a before/after key that is no field of the model: the action's own, else
    the shared one; None when neither knows it."""
    action = _registry.get(code)
    if action is not None and key in action.fields:
        return str(action.fields[key])
    label = _field_labels.get(key)
    return str(label) if label is not None else None


def register_value_labels(key: str, labels: Mapping[str, str | Promise]) -> None:
    """Labels for the coded values a before/after key takes ("second_factor": "totp")."""
    known = _value_labels.setdefault(key, {})
    for value, label in labels.items():
        if value in known:
            raise ValueError(f"audit value label {key!r}={value!r} is already registered")
        known[value] = label


def value_label(key: str, value: object) -> str | None:
    """The label of a coded value of a before/after key, or None when it is no known code."""
    label = _value_labels.get(key, {}).get(value) if isinstance(value, str) else None
    return str(label) if label is not None else None


def is_registered(code: str) -> bool:
    return code in _registry


def check_registered(code: str) -> None:
    """Raise ValueError for a code no app declared (a programming error, not user input)."""
    if code not in _registry:
        raise ValueError(
            f"unregistered audit action {code!r}: declare it in the app's audit_actions.py"
        )


def label_for(code: str) -> str:
    """The action's label in the active language; an unknown code (an old entry) as itself."""
    action = _registry.get(code)
    return str(action.label) if action is not None else code


def registered_actions() -> list[AuditAction]:
    """Every registered action, ordered by code."""
    return [_registry[code] for code in sorted(_registry)]


@dataclass(frozen=True)
class ActionGroup:
    #: The filter value: the codes' common first word and a dot ("security.").
    prefix: str
    label: str | Promise
    actions: list[AuditAction]


def action_groups() -> list[ActionGroup]:
    """The registered actions under their group's label, groups ordered by first word. Codes
    whose first word has no group label (there should be none) come last, ungrouped."""
    members: dict[str, list[AuditAction]] = {}
    for action in registered_actions():
        members.setdefault(action.code.split(".", 1)[0], []).append(action)
    return [
        ActionGroup(f"{word}.", _groups.get(word, ""), actions)
        for word, actions in sorted(members.items(), key=lambda item: (item[0] not in _groups,))
    ]


def group_label(value: str) -> str | None:
    """The label of a group's filter value ("security." → "All security events"), or None."""
    label = _groups.get(value[:-1]) if value.endswith(".") else None
    return str(label) if label is not None else None


def autodiscover() -> None:
    """Import `audit_actions` from every installed app (core's `AppConfig.ready`)."""
    autodiscover_modules("audit_actions")
